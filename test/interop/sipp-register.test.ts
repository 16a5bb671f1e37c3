import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PbxAccount } from '../../emulator/generated/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/startEmulator.js';
import { peerAvailable, skipReason } from '../support/peers.js';
import { runSipp, scenarioPath, type SippRun } from '../support/sipp.js';

const available = peerAvailable('sipp');
const domain = 'sip.your-provider.com';
/** One injection-file row: `user;domain;[authentication ...]` (see test/sipp/register.xml). */
const row = (user: string, password: string) => `${user};${domain};[authentication username=${user} password=${password}]`;

describe.skipIf(!available)(available ? 'SIPp registers to the built-in PBX' : `SIPp registers to the built-in PBX (skipped: ${skipReason('sipp')})`, () => {
  let emulator: RunningEmulator;
  let target: string;

  beforeAll(async () => {
    emulator = await startEmulator({
      apiPort: 0,
      sipPort: 0,
      provisionDelayMs: 0,
      logLevel: 'silent',
      // The fault rule's 20% draws are the same on every run.
      seed: 3261,
      // Default digest algorithms on purpose: MD5 is challenged first, the only one SIPp 3.6 answers.
      pbxAccounts: [{ username: 'alice', password: 'alice-secret' }],
    });
    target = `127.0.0.1:${emulator.ports.sip}`;
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(async () => {
    await emulator.control.reset();
  });

  async function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${emulator.url}/_emulator${path}`, {
      method,
      ...(body !== undefined && { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
  }

  async function account(username: string): Promise<PbxAccount | undefined> {
    const list = await control('GET', '/pbx/accounts');
    expect(list.status).toBe(200);
    return (list.body.items as PbxAccount[]).find((a) => a.username === username);
  }

  /** SIPp's own statistics and log, shown when an expectation about a run fails. */
  const explain = (run: SippRun) => `SIPp exit ${run.exitCode}, ${run.successful} successful, ${run.failed} failed\n${run.output.slice(-4000)}`;

  it.each([
    { transport: 'UDP', user: 'alice', password: 'alice-secret', source: 'config' },
    { transport: 'TCP', user: 'alice', password: 'alice-secret', source: 'config' },
    { transport: 'UDP', user: 'bob', password: 'bob-secret', source: 'control' },
    { transport: 'TCP', user: 'bob', password: 'bob-secret', source: 'control' },
  ] as const)('answers 401 then 200 over $transport for an account from $source, and lists the binding', async ({ transport, user, password, source }) => {
    if (source === 'control') expect((await control('PUT', `/pbx/accounts/${user}`, { password })).status).toBe(200);
    expect(await account(user)).toMatchObject({ source, registered: false });

    const run = await runSipp({ target, scenario: scenarioPath('register.xml'), rows: [row(user, password)], transport, timeoutSeconds: 10 });

    expect(run.exitCode, explain(run)).toBe(0);
    expect([run.successful, run.failed]).toEqual([1, 0]);
    const listed = await account(user);
    expect(listed).toMatchObject({ username: user, source, registered: true });
    expect(listed?.contacts).toHaveLength(1);
    expect(listed?.contacts[0]).toMatchObject({ transport, uri: expect.stringMatching(new RegExp(`^sip:${user}@127\\.0\\.0\\.1:\\d+`)) });
  });

  it.each(['UDP', 'TCP'] as const)('refuses a wrong password over %s: 401, then 401 or 403, and nothing is bound', async (transport) => {
    const run = await runSipp({ target, scenario: scenarioPath('register-wrong-password.xml'), rows: [row('alice', 'not-alice-secret')], transport, timeoutSeconds: 10 });

    expect(run.exitCode, explain(run)).toBe(0);
    expect([run.successful, run.failed]).toEqual([1, 0]);
    expect(await account('alice')).toMatchObject({ registered: false, contacts: [] });
  });

  /** Registers 10 accounts 50 times over UDP while SIPp loses 20% of the packets it sends and receives. */
  async function registerUnderLoss(rule?: object): Promise<{ run: SippRun; users: string[] }> {
    const users = Array.from({ length: 10 }, (_, i) => `loss${i}`);
    for (const user of users) expect((await control('PUT', `/pbx/accounts/${user}`, { password: `pw-${user}` })).status).toBe(200);
    if (rule) expect((await control('POST', '/faults', rule)).status).toBe(201);
    const rows = Array.from({ length: 50 }, (_, i) => row(users[i % users.length]!, `pw-${users[i % users.length]!}`));
    // Each loss costs a retransmission (T1 = 500 ms, doubling); at these rates SIPp's default of 7
    // UDP retransmissions fails about one transaction in 300, 20 fail none in practice.
    const run = await runSipp({ target, scenario: scenarioPath('register.xml'), rows, transport: 'UDP', calls: 50, rate: 25, limit: 50, lost: 20, timeoutSeconds: 60, extraArgs: ['-max_retrans', '20'] });
    return { run, users };
  }

  async function registeredUsers(): Promise<string[]> {
    const items = (await control('GET', '/pbx/accounts')).body.items as PbxAccount[];
    return items.filter((a) => a.registered).map((a) => a.username);
  }

  it('completes 50 registrations of 10 accounts with 20% of packets lost by SIPp (-lost 20)', async () => {
    const { run, users } = await registerUnderLoss();

    expect(run.exitCode, explain(run)).toBe(0);
    expect([run.successful, run.failed]).toEqual([50, 0]);
    // Losses happened and were recovered by retransmission, not avoided.
    expect(retransmissions(run)).toBeGreaterThan(10);
    expect(await registeredUsers()).toEqual(users);
  }, 90_000);

  // A `drop` rule acts per datagram below the transaction layer, so retransmissions draw anew, as packet loss.
  it('completes them also with a PBX fault rule dropping 20% of incoming REGISTERs (seeded)', async () => {
    const { run, users } = await registerUnderLoss({ match: { target: 'sip', method: 'REGISTER', direction: 'in' }, action: { type: 'drop' }, probability: 0.2, description: '20% of REGISTERs lost on the way in' });

    const hits = (await control('GET', '/faults')).body.items[0].hits as number;
    // About 100 transactions of two or so datagrams each at 20%: the rule fired, far from every time.
    expect(hits).toBeGreaterThan(10);
    expect(hits).toBeLessThan(100);
    expect(run.exitCode, explain(run)).toBe(0);
    expect([run.successful, run.failed]).toEqual([50, 0]);
    expect(await registeredUsers()).toEqual(users);
  }, 90_000);
});

/** Sum of the Retrans column of SIPp's final scenario screen. */
function retransmissions(run: SippRun): number {
  const screens = run.output.split('Scenario Screen');
  const last = screens.at(-1) ?? '';
  let total = 0;
  for (const match of last.matchAll(/REGISTER -+>\s+(\d+)\s+(\d+)/g)) total += Number(match[2]);
  return total;
}
