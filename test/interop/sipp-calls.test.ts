import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/startEmulator.js';
import { guideAgent } from '../support/world.js';
import { peerAvailable, skipReason } from '../support/peers.js';
import { runSipp, scenarioPath, type SippRun } from '../support/sipp.js';

const available = peerAvailable('sipp');
const domain = 'pbx.example';

describe.skipIf(!available)(available ? 'SIPp calls the agent through the built-in PBX' : `SIPp calls the agent (skipped: ${skipReason('sipp')})`, () => {
  let emulator: RunningEmulator;
  let target: string;
  const key = 'sipp-calls';
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
  };

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent', maxConcurrentCalls: 40, digestAlgorithms: ['MD5'] });
    target = `127.0.0.1:${emulator.ports.sip}`;
    const agent = await api('POST', '/public/agents', guideAgent);
    await api('PUT', `/public/agents/${agent.body.id}/channels/sip`, { humanHandoff: { enabled: true, transferExtension: '200' } });
    const conn = await api('POST', '/public/sip-connections', { agentId: agent.body.id, settings: { server: domain, port: 5060, domain, username: '101', password: 'agent-secret', transport: 'UDP' } });
    await emulator.control.waitForStatus(conn.body.id, (s) => s.sipStatus === 'online');
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const explain = (run: SippRun) => `SIPp exit ${run.exitCode}, ${run.successful} successful, ${run.failed} failed\n${run.output.slice(-4000)}`;

  it('100 calls, 10 at a time: INVITE, 180, 200, ACK, audio echoed, BYE; none fails', async () => {
    const run = await runSipp({ target, scenario: scenarioPath('call-basic.xml'), rows: [`101;${domain}`], transport: 'UDP', calls: 100, rate: 10, limit: 10, timeoutSeconds: 40, extraArgs: ['-rtp_echo', '-mi', '127.0.0.1'] });
    expect(run.exitCode, explain(run)).toBe(0);
    expect([run.successful, run.failed]).toEqual([100, 0]);
  }, 60_000);
});
