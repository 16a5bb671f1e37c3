import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call, CallSummary, PbxAccount } from '../../emulator/generated/index.js';
import type { JournalEntry } from '../../emulator/journal/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/startEmulator.js';
import { guideAgent } from '../support/world.js';
import { freeUdpTcpPort, peerAvailable, skipReason } from '../support/peers.js';
import { runSipp, scenarioPath } from '../support/sipp.js';

const available = peerAvailable('sipp');
const domain = 'pbx.example';
const callee = { username: '300', password: 'callee-secret' };

/**
 * The latest profile's outbound call to SIPp: SIPp registers as 300 on the built-in PBX (and exits,
 * its binding staying), then a second SIPp on the same port answers the agent's INVITE, echoes its
 * audio and hangs up. The agent's INVITE went through its registrar, as the docs say.
 */
describe.skipIf(!available)(available ? 'an outbound call from a connection to SIPp' : `an outbound call to SIPp (skipped: ${skipReason('sipp')})`, () => {
  let emulator: RunningEmulator;
  let connectionId: string;
  const key = 'sipp-outbound';
  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as any) };
  };

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent', apiProfile: 'latest', sipQuota: 1, pbxAccounts: [callee], digestAlgorithms: ['MD5'] });
    const agent = await request('POST', '/public/agents', { ...guideAgent, language: 'en' });
    await request('PUT', `/public/agents/${agent.body.id}/channels/sip`, {});
    const conn = await request('POST', '/public/sip-connections', { agentId: agent.body.id, settings: { server: domain, port: 5060, domain, username: '101', password: 'secret-101', transport: 'UDP' } });
    connectionId = conn.body.id;
    await emulator.control.waitForStatus(connectionId, (s) => s.sipStatus === 'online');
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('SIPp answers the INVITE the agent sends through the PBX, gets the initialSpeech audio (echoed back) and hangs up', async () => {
    const target = `127.0.0.1:${emulator.ports.sip}`;
    const port = await freeUdpTcpPort();
    const registered = await runSipp({ target, scenario: scenarioPath('register.xml'), rows: [`${callee.username};${domain};[authentication username=${callee.username} password=${callee.password}]`], transport: 'UDP', localPort: port, timeoutSeconds: 10 });
    expect(registered.exitCode, registered.output.slice(-2000)).toBe(0);
    const account = ((await request('GET', '/_emulator/pbx/accounts')).body.items as PbxAccount[]).find((a) => a.username === callee.username);
    expect(account?.contacts[0]?.uri).toContain(`:${port}`);

    const answering = runSipp({ target, scenario: scenarioPath('answer.xml'), transport: 'UDP', localPort: port, timeoutSeconds: 20, extraArgs: ['-rtp_echo', '-mp', String(await freeUdpTcpPort())] });
    // SIPp may still be binding its port: the PBX's INVITE over UDP is retransmitted (Timer A) until it answers.
    const ended = emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'call.state' && e.to === callee.username && e.state === 'ended', 25_000, 'the outbound call to end');
    let placed = await request('POST', `/public/sip-connections/${connectionId}/call`, { destination: callee.username, initialSpeech: 'Hello from the agent.' });
    expect(placed).toEqual({ status: 200, body: { status: 'dialing' } });
    const run = await answering;
    expect(run.exitCode, run.output.slice(-3000)).toBe(0);
    expect([run.successful, run.failed]).toEqual([1, 0]);
    await ended;
    const summary = ((await request('GET', '/_emulator/calls')).body.items as CallSummary[]).find((c) => c.to === callee.username)!;
    const call = (await request('GET', `/_emulator/calls/${summary.id}`)).body as Call;
    expect(call).toMatchObject({ from: '101', to: callee.username, connectionId, state: 'ended', endReason: 'callee hung up (BYE)', codec: 'PCMU' });
    expect(call.rtp?.packetsReceived, 'SIPp echoed the agent\'s audio back').toBeGreaterThan(25);
    const said = emulator.control.getJournal({ kind: ['agent.turn'], callId: summary.id }).items.find((e) => e.kind === 'agent.turn' && e.said !== undefined);
    expect(said).toMatchObject({ said: 'initialSpeech' });
    placed = await request('GET', `/public/sip-connections/${connectionId}/errors`);
    expect(placed.body).toEqual([]);
  }, 40_000);
});
