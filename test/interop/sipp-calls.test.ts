import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call, CallSummary, PbxAccount } from '../../emulator/generated/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/startEmulator.js';
import { guideAgent } from '../support/world.js';
import { freeUdpTcpPort, peerAvailable, skipReason } from '../support/peers.js';
import { runSipp, scenarioPath, type SippOptions, type SippRun } from '../support/sipp.js';

const available = peerAvailable('sipp');
const domain = 'pbx.example';
const human = { username: '200', password: 'human-secret' };

/**
 * SIPp as the caller of a listener's agent, through the built-in PBX: plain calls at a steady
 * rate, and the human handoff seen from the transferee's side (INFO DTMF 0, REFER, NOTIFY
 * sipfrags), with the handoff target a second SIPp registered as extension 200.
 */
describe.skipIf(!available)(available ? 'SIPp calls the agent through the built-in PBX' : `SIPp calls the agent (skipped: ${skipReason('sipp')})`, () => {
  let emulator: RunningEmulator;
  let target: string;
  /** Connection ids by extension: 101 hands off to 200, 102 has handoff disabled. */
  const connections: Record<string, string> = {};
  const key = 'sipp-calls';

  async function request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
  }

  async function listen(extension: string, handoff: boolean): Promise<void> {
    const agent = await request('POST', '/public/agents', { ...guideAgent, name: `agent ${extension}` });
    expect(agent.status).toBeLessThan(300);
    const channel = await request('PUT', `/public/agents/${agent.body.id}/channels/sip`, { humanHandoff: handoff ? { enabled: true, transferExtension: human.username } : { enabled: false } });
    expect(channel.status).toBeLessThan(300);
    const conn = await request('POST', '/public/sip-connections', { agentId: agent.body.id, settings: { server: domain, port: 5060, domain, username: extension, password: `secret-${extension}`, transport: 'UDP' } });
    expect(conn.status).toBeLessThan(300);
    connections[extension] = conn.body.id;
    await emulator.control.waitForStatus(conn.body.id, (s) => s.sipStatus === 'online');
  }

  beforeAll(async () => {
    emulator = await startEmulator({
      apiPort: 0,
      sipPort: 0,
      provisionDelayMs: 0,
      logLevel: 'silent',
      // Above SIPp's -l 10 plus the transfer tests' calls, so that no caller hears "no agents".
      maxConcurrentCalls: 20,
      pbxAccounts: [human],
      // SIPp 3.6 answers only the first WWW-Authenticate, and only MD5.
      digestAlgorithms: ['MD5'],
    });
    target = `127.0.0.1:${emulator.ports.sip}`;
    await listen('101', true);
    await listen('102', false);
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const explain = (run: SippRun) => `SIPp exit ${run.exitCode}, ${run.successful} successful, ${run.failed} failed\n${run.output.slice(-4000)}`;

  /** SIPp's RTP port (its SDP's, and -rtp_echo's): a free one, as SIPp's default 6000 is shared by every SIPp on the machine. */
  const mediaPort = async () => ['-mp', String(await freeUdpTcpPort())];

  /** Runs SIPp with its SIP messages logged (-trace_msg), and returns the log with the run. */
  async function sipp(options: Omit<SippOptions, 'target' | 'transport'>): Promise<SippRun & { messages: string }> {
    const file = join(mkdtempSync(join(tmpdir(), 'omnisip-sipp-msg-')), 'messages.log');
    const run = await runSipp({ target, transport: 'UDP', timeoutSeconds: 20, ...options, extraArgs: [...(options.extraArgs ?? []), ...(await mediaPort()), '-trace_msg', '-message_file', file] });
    let messages = '';
    try {
      messages = readFileSync(file, 'utf8');
    } catch {
      // SIPp did not get far enough to write it; the run's output says why.
    }
    return { ...run, messages };
  }

  /** A REFER whose Refer-To is the handoff extension at the connection's domain. */
  const referTo200 = new RegExp(`REFER sip:[^\\n]*\\n(?:[^\\n]+\\n)*?Refer-To: <sip:200@${domain.replace('.', '\\.')}>`);

  /** Request lines SIPp received (the log marks each message it got with "received"). */
  const receivedRequests = (messages: string) => [...messages.matchAll(/message received[^\n]*\n\s*([A-Z]+) sip:/g)].map((m) => m[1]);

  /** The Call-ID of the first message SIPp sent (its INVITE to the agent). */
  const callIdOf = (messages: string) => /\nCall-ID: ([^\r\n]+)/.exec(messages)?.[1] ?? 'no Call-ID in the SIPp message log';

  async function callTo(extension: string, callId: string): Promise<Call> {
    const list = await request('GET', '/_emulator/calls');
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const summary = (list.body.items as CallSummary[]).find((c) => c.to === extension && c.connectionId === connections[extension] && c.callId === callId);
    expect(summary, `no call to ${extension} with Call-ID ${callId} in ${JSON.stringify(list.body.items)}`).toBeDefined();
    const call = await request('GET', `/_emulator/calls/${summary!.id}`);
    expect(call.status).toBe(200);
    return call.body as Call;
  }

  /** Polls the PBX's account list until the extension has a binding (there is no registration event). */
  async function waitForRegistration(username: string, run: Promise<SippRun>, timeoutMs = 10_000): Promise<void> {
    let exited: SippRun | undefined;
    void run.then((r) => (exited = r));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await request('GET', '/_emulator/pbx/accounts');
      if ((res.body.items as PbxAccount[]).some((a) => a.username === username && a.registered)) return;
      if (exited) throw new Error(`SIPp exited before ${username} registered: ${explain(exited)}`);
      if (Date.now() > deadline) throw new Error(`${username} did not register within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('100 calls, 10 at a time: INVITE, 180, 200, ACK, audio echoed, BYE; none fails', async () => {
    const run = await runSipp({ target, scenario: scenarioPath('call-basic.xml'), rows: [`101;${domain}`], transport: 'UDP', calls: 100, rate: 10, limit: 10, timeoutSeconds: 40, extraArgs: ['-rtp_echo', ...(await mediaPort())] });
    expect(run.exitCode, explain(run)).toBe(0);
    expect([run.successful, run.failed]).toEqual([100, 0]);
    // The agent's side: 100 answered calls, each ended by the caller, each with the echoed audio received.
    const list = await request('GET', '/_emulator/calls');
    const calls = (list.body.items as CallSummary[]).filter((c) => c.connectionId === connections['101']);
    expect(calls).toHaveLength(100);
    for (const summary of calls) {
      const call = (await request('GET', `/_emulator/calls/${summary.id}`)).body as Call;
      expect(call).toMatchObject({ state: 'ended', endReason: 'caller hung up (BYE)', transfer: null });
      expect(call.rtp?.packetsReceived, `RTP echoed back to the agent on call ${call.id}`).toBeGreaterThan(25);
    }
  }, 60_000);

  it('transferee: DTMF 0 by INFO brings a REFER to 200; NOTIFY 100 then 200 ends it with the agent\'s BYE', async () => {
    // Both SIPps build the same Call-ID (see call-uas.xml), so the target's SIPp takes the transferee's INVITE as its call.
    const callIds = ['-cid_str', `xfer-${randomBytes(4).toString('hex')}-%u`];
    const human200 = sipp({ scenario: scenarioPath('call-uas.xml'), rows: [`${human.username};${domain};[authentication username=${human.username} password=${human.password}]`], extraArgs: callIds });
    await waitForRegistration(human.username, human200);

    const transferee = await sipp({ scenario: scenarioPath('call-transfer.xml'), rows: [`101;${domain}`], extraArgs: callIds });
    const answered = await human200;

    expect(transferee.exitCode, explain(transferee)).toBe(0);
    expect(answered.exitCode, explain(answered)).toBe(0);
    expect(transferee.messages).toMatch(referTo200);
    expect(receivedRequests(transferee.messages)).toEqual(['REFER', 'BYE']);

    const call = await callTo('101', callIdOf(transferee.messages));
    expect(call.transfer).toEqual({ target: `sip:200@${domain}`, status: 200, outcome: 'succeeded' });
    expect(call.state).toBe('ended');
    expect(call.timeline.map((t) => t.text)).toEqual(expect.arrayContaining([`REFER to sip:200@${domain}`, 'NOTIFY: SIP/2.0 100 Trying', 'NOTIFY: SIP/2.0 200 OK']));
  }, 40_000);

  it('handoff disabled: the same DTMF 0 never brings a REFER; the caller hangs up and the call succeeds', async () => {
    const run = await sipp({ scenario: scenarioPath('call-dtmf-no-handoff.xml'), rows: [`102;${domain}`] });

    expect(run.exitCode, explain(run)).toBe(0);
    expect(receivedRequests(run.messages)).toEqual([]);
    const call = await callTo('102', callIdOf(run.messages));
    expect(call.transfer).toBeNull();
    expect(call.agentTurns).toContainEqual(expect.objectContaining({ heard: 'DTMF 0' }));
    expect(call.timeline.map((t) => t.text).join('\n')).not.toMatch(/REFER/);
    expect(call.endReason).toBe('caller hung up (BYE)');
  }, 30_000);

  it('target busy: after NOTIFY 486 the agent stays on the call, records the failed transfer and logs a 486 error', async () => {
    const run = await sipp({ scenario: scenarioPath('call-transfer-busy.xml'), rows: [`101;${domain}`] });

    expect(run.exitCode, explain(run)).toBe(0);
    // The REFER, and no BYE from the agent: the caller hung up itself.
    expect(receivedRequests(run.messages)).toEqual(['REFER']);
    expect(run.messages).toMatch(referTo200);
    const call = await callTo('101', callIdOf(run.messages));
    expect(call.transfer).toEqual({ target: `sip:200@${domain}`, status: 486, outcome: 'failed' });
    expect(call.agentTurns).toContainEqual(expect.objectContaining({ said: 'transferFailed' }));
    expect(call.endReason).toBe('caller hung up (BYE)');
    const errors = await request('GET', `/public/sip-connections/${connections['101']}/errors`);
    expect(errors.status).toBe(200);
    expect(errors.body).toContainEqual(expect.objectContaining({ code: 486 }));
  }, 30_000);
});
