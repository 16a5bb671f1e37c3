import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../emulator/generated/index.js';
import type { JournalEntry } from '../emulator/journal/index.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { onlineHandoffConnection } from './support/world.js';

/**
 * Every draw of the rules' 20% comes from it, so a quiet run repeats with the same losses, message
 * for message. On a loaded machine an extra retransmission moves every later draw (with 12, a run
 * during the full suite lost no REFER), so one request of each kind is also dropped for sure
 * (LOSS_SEED=n tries another seed).
 */
const SEED = Number(process.env.LOSS_SEED ?? 12);
const LOSS = 0.2;

type Entry<K extends JournalEntry['kind']> = Extract<JournalEntry, { kind: K }>;

/**
 * A whole handoff with 20% of SIP messages lost both ways at the built-in PBX, which every message
 * crosses: drop rules take 20% of what it receives and 20% of what it sends (each retransmission
 * drawn anew). The listener registers, the human's softphone registers, the caller's softphone
 * calls the agent, DTMF 0 brings the REFER, the caller's NOTIFYs report the new call, and the
 * BYEs end both calls: RFC 3261 retransmissions (Timers A, E, G, and the 2xx retransmission of
 * §13.3.1.4) make up every loss. test/interop/sipp-loss.test.ts has SIPp's -lost 20 at the peer.
 */
describe('a handoff with 20% SIP loss both ways at the PBX', () => {
  let emulator: RunningEmulator;
  let connectionId: string;
  const waitFor = <K extends JournalEntry['kind']>(kind: K, match: (e: Entry<K>) => boolean, what: string, timeoutMs = 40_000) =>
    emulator.control.journal.waitFor((e: JournalEntry) => e.kind === kind && match(e as Entry<K>), timeoutMs, what) as Promise<Entry<K>>;

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent', seed: SEED });
    // The rules first: the listener's first REGISTER already meets the loss. Rules are tried in
    // order, and these first ones draw nothing: the first of each kind of request is lost whatever the timing.
    for (const [method, direction] of [['REGISTER', 'in'], ['INVITE', 'out'], ['REFER', 'in'], ['NOTIFY', 'in']] as const) {
      emulator.control.createFault({ match: { target: 'sip', method, direction }, action: { type: 'drop' }, times: 1, description: `the first ${method} the PBX ${direction === 'in' ? 'receives' : 'sends'}` });
    }
    emulator.control.createFault({ match: { target: 'sip', direction: 'in' }, action: { type: 'drop' }, probability: LOSS, description: '20% of what the PBX receives' });
    emulator.control.createFault({ match: { target: 'sip', direction: 'out' }, action: { type: 'drop' }, probability: LOSS, description: '20% of what the PBX sends' });
    ({ connectionId } = await onlineHandoffConnection(emulator, 'handoff-loss', 40_000));
  }, 60_000);
  afterAll(() => emulator?.close());

  it('registers, calls, hands off (REFER, NOTIFY 100 then 200) and hangs up, every step through retransmissions', async () => {
    await emulator.control.createSoftphone({ username: '200', password: 'human', autoAnswer: { status: 200 } });
    const placed = await emulator.control.createCall({ from: 'caller', to: '101' });
    await waitFor('call.state', (e) => e.callId === placed.id && e.state === 'active', 'the agent to answer');

    const transfer = waitFor('transfer', (e) => e.callId === placed.id && (e.phase === 'succeeded' || e.phase === 'failed'), 'the transfer to end');
    const atHuman = waitFor('call.state', (e) => e.from === 'caller' && e.to === '200' && e.state === 'active', 'the caller to reach 200');
    const agentLeft = waitFor('call.state', (e) => e.callId === placed.id && e.state === 'ended', 'the agent to leave');
    await emulator.control.sendCallDtmf(placed.id, { digits: '0' });
    expect(await transfer).toMatchObject({ phase: 'succeeded', status: 200 });
    const leg = await atHuman;
    await agentLeft;

    const ended = waitFor('call.state', (e) => e.callId === leg.callId && e.state === 'ended', 'the call to 200 to end');
    await emulator.control.hangupCall(leg.callId);
    expect((await ended).reason).toMatch(/hangup/);

    const call = emulator.control.getCall(placed.id) as Call;
    expect(call.transfer).toEqual({ target: 'sip:200@pbx.example', status: 200, outcome: 'succeeded' });
    expect(call.timeline.map((t) => t.text)).toEqual(expect.arrayContaining(['REFER to sip:200@pbx.example', 'NOTIFY: SIP/2.0 100 Trying', 'NOTIFY: SIP/2.0 200 OK']));

    // The loss was real, both ways, on every kind of request of the flow; retransmissions made up for it.
    const rules = emulator.control.listFaults().items;
    expect(rules.every((rule) => rule.hits > 0)).toBe(true);
    const lost = (emulator.control.getJournal({ kind: ['fault.fired'] }).items as Array<Entry<'fault.fired'>>).map((e) => `${e.subject.direction} ${e.subject.method}`);
    const sip = emulator.control.getJournal({ kind: ['sip'] }).items as Array<Entry<'sip'>>;
    for (const method of ['REGISTER', 'INVITE', 'REFER', 'NOTIFY', 'BYE']) expect(sip.some((e) => e.method === method), method).toBe(true);
    const retransmitted = new Set(sip.filter((e) => e.retransmission && e.method !== undefined).map((e) => e.method));
    for (const method of ['REGISTER', 'INVITE', 'REFER', 'NOTIFY']) {
      expect(lost.some((l) => l.endsWith(` ${method}`)), `a ${method} lost (${lost.join(', ')})`).toBe(true);
      expect(retransmitted.has(method), `a ${method} retransmitted`).toBe(true);
    }
    console.info(`handoff under loss (seed ${SEED}): lost ${lost.join(', ')}; retransmitted ${[...retransmitted].join(', ')}`);
  }, 120_000);
});
