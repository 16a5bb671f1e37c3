import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptHeard, sine } from '../media/index.js';
import { bareCaller } from './support/bareCaller.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
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

  it('hears the greeting, speaks, and hears the response after silence_duration_ms; BYE ends it', async () => {
    const c = await bareCaller(emulator.ports.sip!);
    try {
      const result = await c.invite(c.ourSdp());
      if (!result.ok) throw new Error(`call failed: ${result.status} ${result.reason}`);
      c.startMedia(result.response.body.toString('utf8'));
      await c.hears('greeting');
      expect(await api('POST', `/public/sip-connections/${connectionId}/status`)).toMatchObject({ body: { status: { sipStatus: 'calling' } } });
      expect(promptHeard(c.heard(), 'response')).toBe(false);
      await c.rtp.play(sine(440, { amplitude: 0.5, durationMs: 700 }));
      await c.hears('response');
      await result.dialog.bye();
      await emulator.control.waitForStatus(connectionId, (s) => s.sipStatus === 'online');
    } finally {
      await c.close();
    }
  });
});
