import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSdp, concatPcm, negotiateSdp, parseSdp, promptHeard, RtpSession, sine } from '../src/media/index.js';
import { createNetworkTransport, SipStack } from '../src/sip/index.js';
import { UserAgent, type Dialog } from '../src/sip/dialog/index.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/startEmulator.js';
import { guideAgent } from './support/world.js';

/**
 * The agent's side of a call, driven by a bare caller built on the SIP and media layers (the
 * softphone has its own tests): the agent answers with SDP, greets with real audio, and takes its
 * turn after the caller has spoken and then been silent.
 */
describe('an agent answers a call through the built-in PBX', () => {
  let emulator: RunningEmulator;
  let connectionId: string;
  const key = 'agent-call';
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
  };

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent', validateResponses: true });
    const agent = await api('POST', '/public/agents', { ...guideAgent, providerSettings: { turnDetection: { threshold: 0.5, silence_duration_ms: 400 } } });
    await api('PUT', `/public/agents/${agent.body.id}/channels/sip`, { humanHandoff: { enabled: true, transferExtension: '200' } });
    const conn = await api('POST', '/public/sip-connections', {
      agentId: agent.body.id,
      settings: { server: 'pbx.example', port: 5060, domain: 'pbx.example', username: '101', password: 'agent-secret', transport: 'UDP' },
    });
    connectionId = conn.body.id;
    await emulator.control.waitForStatus(connectionId, (s) => s.sipStatus === 'online');
  });
  afterAll(() => emulator?.close());

  async function call(): Promise<{ dialog: Dialog; rtp: RtpSession; heard: () => Int16Array; close(): Promise<void> }> {
    const stack = new SipStack({ transport: await createNetworkTransport({ address: '127.0.0.1', port: 0, protocols: ['UDP'] }) });
    const ua = new UserAgent(stack, { contact: `<sip:caller@${stack.viaHost('UDP')}>` });
    const opened = await RtpSession.open({ address: '127.0.0.1' });
    if (!opened.ok) throw new Error(opened.error.message);
    const rtp = opened.value;
    const frames: Int16Array[] = [];
    rtp.on('audio', (pcm) => frames.push(pcm));
    const invite = ua.invite({
      target: 'sip:101@pbx.example',
      from: 'sip:caller@pbx.example',
      destination: { protocol: 'UDP', address: '127.0.0.1', port: emulator.ports.sip! },
      sdp: buildSdp({ address: rtp.localAddress, port: rtp.localPort }),
    });
    const result = await invite.result;
    if (!result.ok) throw new Error(`call failed: ${result.status} ${result.reason}`);
    const answer = parseSdp(result.response.body.toString('utf8'));
    if (!answer.ok) throw new Error(answer.error.message);
    const media = negotiateSdp(answer.value);
    if (!media.ok) throw new Error(media.error.message);
    rtp.setRemote(media.value.remote);
    rtp.startSending();
    return {
      dialog: result.dialog,
      rtp,
      heard: () => concatPcm(frames),
      close: async () => {
        await rtp.stop();
        await stack.close();
      },
    };
  }

  /** Resolves once the caller's recording contains the prompt (checked as audio arrives). */
  const hears = (c: { rtp: RtpSession; heard: () => Int16Array }, prompt: Parameters<typeof promptHeard>[1], timeoutMs = 8000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the caller did not hear the ${prompt} prompt within ${timeoutMs} ms`)), timeoutMs);
      let frames = 0;
      const check = () => {
        if (++frames % 25 !== 0 || !promptHeard(c.heard(), prompt)) return;
        clearTimeout(timer);
        c.rtp.off('audio', check);
        resolve();
      };
      c.rtp.on('audio', check);
    });

  it('hears the greeting, speaks, and hears the response after silence_duration_ms; BYE ends it', async () => {
    const c = await call();
    try {
      await hears(c, 'greeting');
      expect(await api('POST', `/public/sip-connections/${connectionId}/status`)).toMatchObject({ body: { status: { sipStatus: 'calling' } } });
      expect(promptHeard(c.heard(), 'response')).toBe(false);
      await c.rtp.play(sine(440, { amplitude: 0.5, durationMs: 700 }));
      await hears(c, 'response');
      await c.dialog.bye();
      await emulator.control.waitForStatus(connectionId, (s) => s.sipStatus === 'online');
    } finally {
      await c.close();
    }
  });
});
