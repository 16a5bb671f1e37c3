import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../emulator/journal/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/startEmulator.js';
import { peerAvailable, skipReason } from '../support/peers.js';
import { runSipp, scenarioPath, type SippRun } from '../support/sipp.js';

const available = peerAvailable('sipp');
const domain = 'sip.your-provider.com';
const title = 'SIPp registers to the built-in PBX with quirks';

/**
 * A real client against the PBX's registrar quirks: SIPp registers extension 101 with a From user
 * of "reception" (a shared line; RFC 3261 §10.2 allows a third party to register). A plain
 * registrar binds it; with fromMustMatchAuthUser it answers 403, as Asterisk and 3CX do.
 */
describe.skipIf(!available)(available ? title : `${title} (skipped: ${skipReason('sipp')})`, () => {
  let emulator: RunningEmulator;
  let target: string;

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent' });
    target = `127.0.0.1:${emulator.ports.sip}`;
  });
  afterAll(() => emulator?.close());
  beforeEach(() => emulator.control.reset());

  const explain = (run: SippRun) => `SIPp exit ${run.exitCode}, ${run.successful} successful, ${run.failed} failed\n${run.output.slice(-4000)}`;
  const register = () => runSipp({ target, scenario: scenarioPath('register-on-behalf.xml'), rows: [`101;${domain};reception;[authentication username=101 password=s3cret]`], transport: 'UDP', timeoutSeconds: 10 });
  const statuses = (since: number) =>
    emulator.control.getJournal({ kind: ['sip'], since }).items.flatMap((e: JournalEntry) => (e.kind === 'sip' && e.party === 'pbx' && e.direction === 'out' && e.status !== undefined ? [e.status] : []));

  it('without the quirk, the PBX binds a REGISTER whose From user is not the authentication user', async () => {
    emulator.control.putPbxAccount('101', { password: 's3cret' });
    const since = emulator.control.journal.lastSeq;
    const run = await register();
    expect(run.exitCode, explain(run)).toBe(0);
    expect(statuses(since)).toEqual([401, 200]);
    expect(emulator.control.listPbxAccounts().items.find((a) => a.username === '101')).toMatchObject({ registered: true });
  });

  it('with fromMustMatchAuthUser, it answers 403 after the right credentials, binds nothing, and journals why', async () => {
    emulator.control.putPbxAccount('101', { password: 's3cret', quirks: { fromMustMatchAuthUser: true } });
    const since = emulator.control.journal.lastSeq;
    const run = await register();
    expect(run.exitCode, explain(run)).toBe(0);
    expect(statuses(since)).toEqual([401, 403]);
    expect(emulator.control.listPbxAccounts().items.find((a) => a.username === '101')).toMatchObject({ registered: false, contacts: [] });
    expect(emulator.control.getJournal({ kind: ['pbx.quirk'], since }).items).toEqual([
      expect.objectContaining({ quirk: 'fromMustMatchAuthUser', account: '101', text: 'REGISTER refused with 403: From user "reception" is not the authentication user "101"' }),
    ]);
  });
});
