import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SipRequest } from '../message/index.js';
import type { Dialog } from './Dialog.js';
import type { IncomingRefer } from './IncomingRefer.js';
import type { SipfragStatus } from './sipfrag.js';
import { ANSWER, createPair, flush, OFFER, T1, until, type Pair } from './fixtures.case.js';

// Alice (the agent) transfers Bob (the caller, the transferee) with REFER, RFC 3515.
let pair: Pair;
let alice: Dialog;
let bob: Dialog;

beforeEach(async () => {
  vi.useFakeTimers();
  pair = createPair();
  pair.bob.ua.onInvite((call) => call.answer({ sdp: ANSWER }));
  const result = await until(pair.alice.ua.invite({ target: pair.bob.uri, from: pair.alice.uri, destination: pair.bob.endpoint, sdp: OFFER }).result);
  if (!result.ok) throw new Error(`call failed: ${result.status}`);
  await flush();
  alice = result.dialog;
  const bobDialog = pair.bob.ua.dialogs[0];
  if (bobDialog === undefined) throw new Error('no dialog at Bob');
  bob = bobDialog;
  pair.wire.length = 0;
});

afterEach(async () => {
  await pair.close();
  vi.useRealTimers();
});

/** Records the NOTIFYs Alice receives. */
function notifiesAtAlice(): SipRequest[] {
  const seen: SipRequest[] = [];
  const original = alice.receiveRequest.bind(alice);
  alice.receiveRequest = (request, tx, context) => {
    if (request.method === 'NOTIFY') seen.push(request);
    original(request, tx, context);
  };
  return seen;
}

describe('REFER (RFC 3515)', () => {
  it('accepts with 202, then NOTIFYs 100 Trying and 200 OK with terminated; the referrer sees progress in order', async () => {
    const refers: IncomingRefer[] = [];
    bob.onRefer((refer) => {
      refers.push(refer);
      void refer.notify(200, { terminated: true }); // Bob's call to the target was answered
    });
    const notifies = notifiesAtAlice();
    const transfer = alice.refer('sip:200@127.0.0.3');
    const progress: string[] = [];
    const done: unknown[] = [];
    transfer.on('progress', (frag: SipfragStatus) => progress.push(frag.statusLine));
    transfer.on('done', (outcome) => done.push(outcome));
    const accepted = await until(transfer.accepted);
    expect(accepted.ok && [accepted.response.status, accepted.response.reason]).toEqual([202, 'Accepted']);
    expect(accepted.ok && accepted.response.headers.get('Contact')).toBe('<sip:bob@127.0.0.2:5060>');
    const outcome = await until(transfer.outcome);
    expect(outcome).toEqual({ status: 200, statusLine: 'SIP/2.0 200 OK', ended: 'notified' });
    expect(progress).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 200 OK']);
    expect(done).toEqual([outcome]);

    expect(refers[0]?.referTo).toBe('sip:200@127.0.0.3');
    expect(refers[0]?.referredBy).toBe('<sip:alice@127.0.0.1:5070>');
    const referCseq = refers[0]?.request.headers.get('CSeq');
    expect(referCseq).toBe('2 REFER');
    expect(notifies.map((n) => [n.headers.get('Event'), n.headers.get('Subscription-State'), n.headers.get('Content-Type'), n.body.toString()])).toEqual([
      ['refer;id=2', 'active;expires=60', 'message/sipfrag;version=2.0', 'SIP/2.0 100 Trying\r\n'],
      ['refer;id=2', 'terminated;reason=noresource', 'message/sipfrag;version=2.0', 'SIP/2.0 200 OK\r\n'],
    ]);
    expect(notifies.every((n) => n.headers.get('Contact') === '<sip:bob@127.0.0.2:5060>')).toBe(true);
    await flush();
    expect(pair.wire).toEqual(['alice> REFER', 'bob> 202 REFER', 'bob> NOTIFY', 'alice> 200 NOTIFY', 'bob> NOTIFY', 'alice> 200 NOTIFY']);
    // Both dialogs go on: the referrer hangs up when it chooses.
    expect([alice.state, bob.state]).toEqual(['confirmed', 'confirmed']);
  });

  it('reports a failed transfer: the transferee NOTIFYs 486 Busy Here', async () => {
    bob.onRefer((refer) => void refer.notify('SIP/2.0 486 Busy Here', { terminated: true }));
    const transfer = alice.refer('<sip:200@127.0.0.3>');
    const progress: number[] = [];
    transfer.on('progress', (frag) => progress.push(frag.status));
    expect(await until(transfer.outcome)).toEqual({ status: 486, statusLine: 'SIP/2.0 486 Busy Here', ended: 'notified' });
    expect(progress).toEqual([100, 486]);
  });

  it('sends NOTIFYs one at a time and none after the terminated one', async () => {
    let refer: IncomingRefer | undefined;
    bob.onRefer((r) => (refer = r));
    const transfer = alice.refer('sip:200@127.0.0.3');
    const progress: number[] = [];
    transfer.on('progress', (frag) => progress.push(frag.status));
    await until(transfer.accepted);
    const ringing = refer?.notify(180);
    const answered = refer?.notify(200, { terminated: true });
    expect(refer?.notify(200)).toBeDefined();
    expect(await until(refer?.notify(503) ?? Promise.resolve(null))).toEqual({ ok: false, reason: 'terminated' });
    await until(Promise.all([ringing, answered]));
    expect(progress).toEqual([100, 180, 200]);
    // Each NOTIFY waits for the previous one's answer (RFC 6665 §4.2.2).
    expect(pair.wire.filter((m) => m.includes('NOTIFY'))).toEqual(['bob> NOTIFY', 'alice> 200 NOTIFY', 'bob> NOTIFY', 'alice> 200 NOTIFY', 'bob> NOTIFY', 'alice> 200 NOTIFY']);
    expect(() => refer?.notify('garbage')).toThrow(TypeError);
  });

  it('ends the transfer as rejected when the transferee declines the REFER (no onRefer: 603)', async () => {
    const transfer = alice.refer('sip:200@127.0.0.3');
    const accepted = await until(transfer.accepted);
    expect(accepted.ok && accepted.response.status).toBe(603);
    expect(await until(transfer.outcome)).toMatchObject({ status: 603, ended: 'rejected' });
  });

  it('answers 400 to a REFER without exactly one Refer-To', async () => {
    bob.onRefer(() => undefined);
    const none = await until(alice.request('REFER'));
    expect(none.ok && none.response.status).toBe(400);
    const two = await until(alice.request('REFER', { headers: [['Refer-To', '<sip:a@127.0.0.3>'], ['Refer-To', '<sip:b@127.0.0.3>']] }));
    expect(two.ok && two.response.status).toBe(400);
  });

  it('gives up after 64*T1 when a 202 is followed by no NOTIFY (RFC 6665 §4.1.2.4)', async () => {
    bob.onRequest((incoming) => incoming.respond(202)); // accepts but never notifies
    const transfer = alice.refer('sip:200@127.0.0.3');
    await until(transfer.accepted);
    const started = Date.now();
    expect(await until(transfer.outcome)).toMatchObject({ ended: 'no-notify' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(64 * T1 - 50);
  });

  it('ends the transfer when the dialog ends first', async () => {
    bob.onRefer(() => undefined); // only the automatic 100 Trying
    const transfer = alice.refer('sip:200@127.0.0.3');
    await until(transfer.accepted);
    await flush();
    await until(bob.bye());
    expect(await until(transfer.outcome)).toEqual({ status: 100, statusLine: 'SIP/2.0 100 Trying', ended: 'dialog-terminated' });
  });

  it('answers 481 to a NOTIFY for a refer subscription that is over', async () => {
    bob.onRefer((refer) => void refer.notify(200, { terminated: true }));
    const transfer = alice.refer('sip:200@127.0.0.3');
    await until(transfer.outcome);
    const late = await until(bob.request('NOTIFY', { headers: [['Event', `refer;id=${transfer.seq}`], ['Subscription-State', 'terminated']], body: 'SIP/2.0 200 OK\r\n', contentType: 'message/sipfrag' }));
    expect(late.ok && late.response.status).toBe(481);
    // A 481 to a NOTIFY ends that subscription only, never the call (RFC 5057).
    expect(bob.state).toBe('confirmed');
  });
});
