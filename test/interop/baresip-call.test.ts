import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Call, CallSummary } from '../../emulator/generated/index.js';
import { concatPcm, identifyPrompts, readWavFile, silence, sine, writeWav } from '../../media/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/startEmulator.js';
import { startBaresip, type Baresip } from '../support/baresip.js';
import { peerAvailable, skipReason } from '../support/peers.js';
import { guideAgent } from '../support/world.js';

const available = peerAvailable('baresip');
const domain = 'pbx.example';

/**
 * baresip 1.0, headless, calls a listener's agent through the built-in PBX: its microphone is a
 * WAV file (silence, a short tone the agent takes for speech, silence), its ears are sndfile's
 * recording of the decoded audio, and it is driven through ctrl_tcp (/dial, /hangup).
 */
describe.skipIf(!available)(available ? 'baresip calls the agent through the built-in PBX' : `baresip calls the agent (skipped: ${skipReason('baresip')})`, () => {
  let emulator: RunningEmulator;
  let connectionId: string;
  let phone: Baresip | undefined;
  const key = 'baresip-call';

  async function request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
  }

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent' });
    const agent = await request('POST', '/public/agents', { ...guideAgent, providerSettings: { turnDetection: { threshold: 0.5, silence_duration_ms: 400 } } });
    expect((await request('PUT', `/public/agents/${agent.body.id}/channels/sip`, { humanHandoff: { enabled: false } })).status).toBeLessThan(300);
    const conn = await request('POST', '/public/sip-connections', { agentId: agent.body.id, settings: { server: domain, port: 5060, domain, username: '101', password: 'agent-secret', transport: 'UDP' } });
    connectionId = conn.body.id;
    await emulator.control.waitForStatus(connectionId, (s) => s.sipStatus === 'online');
  });
  afterEach(async () => {
    await phone?.stop();
    phone = undefined;
  });
  afterAll(async () => {
    await emulator?.close();
  });

  /** Polls the agent's call record (its RTP counters move with every GET) until `done` holds. */
  async function waitForCall(done: (call: Call) => boolean, what: string, timeoutMs = 10_000): Promise<Call> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const list = await request('GET', '/_emulator/calls');
      const summary = (list.body.items as CallSummary[]).find((c) => c.connectionId === connectionId);
      const call = summary ? ((await request('GET', `/_emulator/calls/${summary.id}`)).body as Call) : undefined;
      if (call && done(call)) return call;
      if (Date.now() > deadline) throw new Error(`the agent's call did not reach "${what}" within ${timeoutMs} ms: ${JSON.stringify(call)}\n--- baresip output ---\n${phone?.output().slice(-4000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('dials 101, hears the greeting, speaks, hears the response, and hangs up', async () => {
    // The caller: 1.5 s of silence (the greeting), 0.7 s of a tone loud enough to be speech, then silence.
    const dir = mkdtempSync(join(tmpdir(), 'omnisip-baresip-audio-'));
    const microphone = join(dir, 'caller.wav');
    writeFileSync(microphone, writeWav(concatPcm([silence(1500), sine(440, { amplitude: 0.5, durationMs: 700 }), silence(6000)])));
    phone = await startBaresip({
      // regint=0: a caller only, no registration; the outbound proxy takes the INVITE to the PBX.
      accounts: [{ username: 'caller', password: 'unused', domain, regint: 0, outboundProxy: { host: '127.0.0.1', port: emulator.ports.sip! } }],
      modules: ['g711.so', 'aufile.so', 'aubridge.so'],
      // aufile is only a source in baresip 1.0; aubridge is a player that needs no sound card.
      settings: { audio_source: `aufile,${microphone}`, audio_player: 'aubridge,omnisip' },
      control: true,
      record: true,
    });

    expect(await phone.command('dial', `sip:101@${domain}`)).toMatchObject({ ok: true });
    await phone.waitForOutput(/Call established: sip:101@pbx\.example/);
    // The response is 0.5 s long: wait until the agent has sent that much audio after starting it.
    let sentAtResponse: number | undefined;
    await waitForCall((call) => {
      if (sentAtResponse === undefined && call.agentTurns.some((t) => t.said === 'response')) sentAtResponse = call.rtp?.packetsSent ?? 0;
      return sentAtResponse !== undefined && (call.rtp?.packetsSent ?? 0) >= sentAtResponse + 40;
    }, 'response played');

    expect(await phone.command('hangup')).toMatchObject({ ok: true });
    await phone.waitForOutput(/Call with sip:101@pbx\.example.* terminated/);
    const ended = await waitForCall((call) => call.state === 'ended', 'ended');
    expect(ended.endReason).toBe('caller hung up (BYE)');
    expect(ended.agentTurns.filter((t) => t.heard !== undefined)).toHaveLength(1);
    await phone.stop();

    const { heard } = phone.recordings();
    expect(heard).toHaveLength(1);
    const recording = await readWavFile(heard[0]!);
    if (!recording.ok) throw new Error(`cannot read baresip's recording ${heard[0]}: ${recording.error.message}`);
    expect(recording.value.source).toMatchObject({ sampleRate: 8000, channels: 1 });
    expect(identifyPrompts(recording.value.samples)).toEqual(['greeting', 'response']);
  }, 30_000);
});
