import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../../emulator/generated/index.js';
import type { JournalEntry } from '../../emulator/journal/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/startEmulator.js';
import { concatPcm, goertzel, identifyPrompts, readWav, readWavFile, silence, sine, writeWav } from '../../media/index.js';
import { startLinphone, type Linphone } from '../support/linphone.js';
import { peerAvailable, skipReason } from '../support/peers.js';
import { guideAgent } from '../support/world.js';

const available = peerAvailable('linphonec');
const domain = 'pbx.example';

type Entry<K extends JournalEntry['kind']> = Extract<JournalEntry, { kind: K }>;

/**
 * linphone 5.1 (Debian's linphone-cli), headless, on the built-in PBX: as the caller of an agent
 * that hands it off with REFER, and as the human at the transfer target. Its microphone is a WAV
 * file, its ears a recording (see test/support/linphone.ts).
 */
describe.skipIf(!available)(available ? 'linphone on the built-in PBX' : `linphone on the built-in PBX (skipped: ${skipReason('linphonec')})`, () => {
  let emulator: RunningEmulator;
  let phone: Linphone | undefined;
  let microphone: string;
  const key = 'linphone';

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const type = res.headers.get('content-type') ?? '';
    return (type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer())) as any;
  };
  const waitFor = <K extends JournalEntry['kind']>(kind: K, match: (e: Entry<K>) => boolean, what: string, timeoutMs = 15_000) =>
    emulator.control.journal.waitFor((e: JournalEntry) => e.kind === kind && match(e as Entry<K>), timeoutMs, what) as Promise<Entry<K>>;
  /** Polls the recording of our softphone on that side (it grows as audio arrives) until it holds `frequency`. */
  const hears = async (id: string, side: 'caller' | 'callee', frequency: number, what: string, timeoutMs = 8000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const wav = readWav(await api('GET', `/_emulator/calls/${id}/recording?side=${side}`));
      if (wav.ok && goertzel(wav.value.samples.subarray(-8000), frequency) > 0.05) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- linphonec output ---\n${phone?.output().slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const registered = (account: string) => waitFor('pbx.binding', (e) => e.account === account && e.change !== 'removed', `${account} to register`);

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent' });
    const agent = await api('POST', '/public/agents', { ...guideAgent, providerSettings: { turnDetection: { threshold: 0.5, silence_duration_ms: 400 } } });
    await api('PUT', `/public/agents/${agent.id}/channels/sip`, { humanHandoff: { enabled: true, transferExtension: '200' } });
    const conn = await api('POST', '/public/sip-connections', { agentId: agent.id, settings: { server: domain, port: 5060, domain, username: '101', password: 'agent-secret', transport: 'UDP' } });
    await emulator.control.waitForStatus(conn.id, (s) => s.sipStatus === 'online');
    // linphone's microphone: silence over the greeting, a tone the agent takes for speech, then 440 Hz now and then.
    microphone = join(mkdtempSync(join(tmpdir(), 'omnisip-linphone-audio-')), 'microphone.wav');
    writeFileSync(microphone, writeWav(concatPcm([silence(1500), sine(440, { amplitude: 0.5, durationMs: 700 }), silence(1500), ...Array.from({ length: 8 }, () => [sine(440, { amplitude: 0.5, durationMs: 500 }), silence(1000)]).flat()])));
  });
  afterEach(async () => {
    await phone?.stop();
    phone = undefined;
    await api('DELETE', '/_emulator/softphones/200').catch(() => undefined);
  });
  afterAll(() => emulator?.close());

  it('as the caller: registers, the agent answers and greets it, hears it speak and DTMF 0 (RFC 4733), and hands it off to 200 with REFER', async () => {
    emulator.control.putPbxAccount('300', { password: 'linphone-secret' });
    await emulator.control.createSoftphone({ username: '200', password: 'human', autoAnswer: { status: 200 } });
    const bound = registered('300');
    phone = await startLinphone({ username: '300', password: 'linphone-secret', domain, proxy: { host: '127.0.0.1', port: emulator.ports.sip! }, microphone });
    await bound;

    const answered = waitFor('call.state', (e) => e.from === '300' && e.to === '101' && e.state === 'active', 'the agent to answer linphone');
    phone.command(`call sip:101@${domain}`);
    await phone.waitForOutput(/Call 1 with sip:101@pbx\.example connected/);
    const { callId } = await answered;
    await waitFor('agent.turn', (e) => e.callId === callId && e.said === 'response', 'the agent to answer what linphone said');

    const transferred = waitFor('transfer', (e) => e.callId === callId && (e.phase === 'succeeded' || e.phase === 'failed'), 'the transfer to end');
    const atHuman = waitFor('call.state', (e) => e.from === '300' && e.to === '200' && e.state === 'active', 'linphone to reach 200');
    phone.command('0');
    expect(await transferred).toMatchObject({ phase: 'succeeded', status: 200 });
    await phone.waitForOutput(/Call 2 with sip:200@pbx\.example connected/);
    const leg = await atHuman;

    const call = (await api('GET', `/_emulator/calls/${callId}`)) as Call;
    expect(call).toMatchObject({ state: 'ended', transfer: { target: `sip:200@${domain}`, status: 200, outcome: 'succeeded' } });
    expect(call.agentTurns.map((t) => t.heard ?? t.said)).toEqual(expect.arrayContaining(['greeting', 'response', 'DTMF 0', 'transferring']));
    expect(call.rtp!.packetsReceived).toBeGreaterThan(100);
    // linphone holds the call (re-INVITE) before it follows the REFER; the agent answers that too.
    expect(call.timeline.map((t) => t.text)).toEqual(expect.arrayContaining(['DTMF 0', 're-INVITE: caller put the call on hold'])); // RFC 4733, not INFO

    // The human at 200 hears linphone's 440 Hz; then linphone hangs up.
    await hears(leg.callId, 'callee', 440, '200 to hear linphone');
    const ended = waitFor('call.state', (e) => e.callId === leg.callId && e.state === 'ended', 'the call to 200 to end');
    phone.command('terminate all');
    await ended;
    await phone.stop();
    const recording = await readWavFile(phone.recording);
    if (!recording.ok) throw new Error(recording.error.message);
    expect(identifyPrompts(recording.value.samples)).toEqual(expect.arrayContaining(['greeting', 'response', 'transferring']));
  }, 60_000);

  it('as the human at 200: auto-answers the emulator caller handed off by the agent; audio flows both ways; the leg is active while up', async () => {
    emulator.control.putPbxAccount('200', { password: 'human-secret' });
    const bound = registered('200');
    phone = await startLinphone({ username: '200', password: 'human-secret', domain, proxy: { host: '127.0.0.1', port: emulator.ports.sip! }, microphone, autoAnswer: true });
    await bound;

    const placed = (await api('POST', '/_emulator/calls', { from: 'caller', to: '101' })) as Call;
    await waitFor('call.state', (e) => e.callId === placed.id && e.state === 'active', 'the agent to answer');
    const atHuman = waitFor('call.state', (e) => e.from === 'caller' && e.to === '200' && e.state === 'active', 'the caller to reach linphone');
    const transferred = waitFor('transfer', (e) => e.callId === placed.id && (e.phase === 'succeeded' || e.phase === 'failed'), 'the transfer to end');
    await api('POST', `/_emulator/calls/${placed.id}/dtmf`, { digits: '0' });
    expect(await transferred).toMatchObject({ phase: 'succeeded', status: 200 });
    await phone.waitForOutput(/Call 1 with sip:caller@omnisip\.local connected/);
    const { callId: legId } = await atHuman;

    // The emulator's caller hears linphone's microphone, and sends linphone a 1 kHz tone.
    await hears(legId, 'caller', 440, 'the caller to hear linphone');
    const live = (await api('GET', `/_emulator/calls/${legId}`)) as Call;
    expect(live).toMatchObject({ from: 'caller', to: '200', state: 'active', answeredAt: expect.any(Number) });
    expect(live.rtp!.packetsReceived).toBeGreaterThan(0);
    const sentBefore = ((await api('POST', `/_emulator/calls/${legId}/tone`, { frequency: 1000, durationMs: 1000, amplitude: 0.5 })) as Call).rtp!.packetsSent;
    // The softphone sends a 20 ms frame at a time, tone or silence: 60 more frames and the tone has gone out.
    for (let sent = sentBefore; sent < sentBefore + 60; sent = ((await api('GET', `/_emulator/calls/${legId}`)) as Call).rtp!.packetsSent) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const ended = waitFor('call.state', (e) => e.callId === legId && e.state === 'ended', 'the call to end');
    await api('POST', `/_emulator/calls/${legId}/hangup`);
    await ended;
    await phone.waitForOutput(/Call 1 with sip:caller@omnisip\.local ended/);
    await phone.stop();
    const recording = await readWavFile(phone.recording);
    if (!recording.ok) throw new Error(recording.error.message);
    expect(goertzel(recording.value.samples, 1000)).toBeGreaterThan(0.02);
  }, 60_000);
});
