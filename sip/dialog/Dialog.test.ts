import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Dialog } from './Dialog.js';
import { createInDialogRequest, nextHop } from './DialogState.js';
import { dtmfRelay, parseDtmfRelay } from './dtmfRelay.js';
import type { IncomingRequest } from './IncomingRequest.js';
import { ANSWER, createPair, flush, isRequest, OFFER, until, type Pair } from './fixtures.case.js';

let pair: Pair;
let alice: Dialog;
let bob: Dialog;

const HOLD = OFFER.replace('a=sendrecv', 'a=sendonly');
const HELD = ANSWER.replace('a=sendrecv', 'a=recvonly');

beforeEach(async () => {
  vi.useFakeTimers();
  pair = createPair();
  const acked: Array<Promise<unknown>> = [];
  pair.bob.ua.onInvite((call) => {
    call.answer({ sdp: ANSWER });
    acked.push(call.acked);
  });
  const result = await until(pair.alice.ua.invite({ target: pair.bob.uri, from: pair.alice.uri, destination: pair.bob.endpoint, sdp: OFFER }).result);
  if (!result.ok) throw new Error(`call failed: ${result.status}`);
  await until(Promise.all(acked));
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

describe('Dialog: requests within a dialog', () => {
  it('carries INFO DTMF (application/dtmf-relay) both ways', async () => {
    const heard: string[] = [];
    const listen = (incoming: IncomingRequest): void => {
      const dtmf = parseDtmfRelay(incoming.request);
      if (dtmf) heard.push(`${dtmf.signal}/${dtmf.duration}`);
      incoming.respond(dtmf ? 200 : 415);
    };
    bob.onRequest(listen);
    alice.onRequest(listen);
    const sent = await until(alice.request('INFO', dtmfRelay('5')));
    expect(sent.ok && sent.response.status).toBe(200);
    const back = await until(bob.request('INFO', dtmfRelay('#', 250)));
    expect(back.ok && back.response.status).toBe(200);
    const notDtmf = await until(alice.request('INFO', { contentType: 'text/plain', body: 'hello' }));
    expect(notDtmf.ok && notDtmf.response.status).toBe(415);
    expect(heard).toEqual(['5/160', '#/250']);
    expect(pair.wire).toEqual(['alice> INFO', 'bob> 200 INFO', 'bob> INFO', 'alice> 200 INFO', 'alice> INFO', 'bob> 415 INFO']);
  });

  it('puts the call on hold and back with re-INVITEs: the UAS answers through onRequest, the UAC ACKs', async () => {
    const offers: string[] = [];
    const acks: string[] = [];
    bob.onRequest((incoming) => {
      offers.push(incoming.request.body.toString());
      incoming.respond(200, { body: incoming.request.body.toString() === HOLD ? HELD : ANSWER, contentType: 'application/sdp' });
    });
    bob.on('ack', (ack) => acks.push(ack.headers.get('CSeq') ?? ''));
    const hold = await until(alice.request('INVITE', { body: HOLD, contentType: 'application/sdp' }));
    expect(hold.ok && hold.response.body.toString()).toBe(HELD);
    const resume = await until(alice.request('INVITE', { body: OFFER, contentType: 'application/sdp' }));
    expect(resume.ok && resume.response.body.toString()).toBe(ANSWER);
    await flush();
    expect(offers).toEqual([HOLD, OFFER]);
    expect(acks).toEqual(['2 ACK', '3 ACK']);
    expect(pair.wire).toEqual(['alice> INVITE', 'bob> 200 INVITE', 'alice> ACK', 'alice> INVITE', 'bob> 200 INVITE', 'alice> ACK']);
  });

  it('retransmits the 2xx to a re-INVITE until its ACK, like the first one', async () => {
    bob.onRequest((incoming) => incoming.respond(200, { body: HELD, contentType: 'application/sdp' }));
    let drop = 1;
    pair.network.dropWhen((packet) => isRequest('ACK')(packet) && drop-- > 0);
    const acked = new Promise((resolve) => bob.once('ack', resolve));
    const hold = await until(alice.request('INVITE', { body: HOLD, contentType: 'application/sdp' }));
    expect(hold.ok).toBe(true);
    await until(acked);
    expect(pair.wire).toEqual(['alice> INVITE', 'bob> 200 INVITE', 'alice> ACK', 'bob> 200 INVITE', 'alice> ACK']);
  });

  it('supports a re-INVITE without an offer: the UAC answers in the ACK', async () => {
    bob.onRequest((incoming) => incoming.respond(200, { body: ANSWER, contentType: 'application/sdp' }));
    const ack = new Promise<string>((resolve) => bob.once('ack', (a) => resolve(a.body.toString())));
    const result = await until(alice.request('INVITE', { answer: (offer) => (offer === ANSWER ? OFFER : 'wrong') }));
    expect(result.ok).toBe(true);
    expect(await until(ack)).toBe(OFFER);
  });

  it('refuses a second INVITE while one is in progress: locally request-pending, 491 on glare, 500 with Retry-After (§14)', async () => {
    const pending: IncomingRequest[] = [];
    bob.onRequest((incoming) => pending.push(incoming)); // holds Alice's re-INVITE unanswered
    alice.onRequest((incoming) => incoming.respond(200));
    const first = alice.request('INVITE', { body: HOLD, contentType: 'application/sdp' });
    await flush();
    expect(pending).toHaveLength(1);
    // Either side starting another INVITE while this one runs is refused before anything is sent (§14.1).
    expect(await alice.request('INVITE', { body: OFFER, contentType: 'application/sdp' })).toEqual({ ok: false, reason: 'request-pending' });
    expect(await bob.request('INVITE', { body: ANSWER, contentType: 'application/sdp' })).toEqual({ ok: false, reason: 'request-pending' });
    // A peer that sends one anyway: Alice (whose INVITE is pending) answers 491, Bob (who owes an answer) 500.
    const glare = createInDialogRequest(bob.dialogState, 'INVITE', ++bob.dialogState.localSeq, { contact: '<sip:bob@127.0.0.2:5060>' });
    const glareResult = await until(pair.bob.stack.request(glare, pair.alice.endpoint));
    expect(glareResult.ok && glareResult.response.status).toBe(491);
    const second = createInDialogRequest(alice.dialogState, 'INVITE', ++alice.dialogState.localSeq, { contact: '<sip:alice@127.0.0.1:5070>' });
    const secondResult = await until(pair.alice.stack.request(second, pair.bob.endpoint));
    expect(secondResult.ok && [secondResult.response.status, Number(secondResult.response.headers.get('Retry-After')) <= 10]).toEqual([500, true]);
    pending[0]?.respond(200, { body: HELD, contentType: 'application/sdp' });
    expect((await until(first)).ok).toBe(true);
  });

  it('takes the new Contact of a re-INVITE as the remote target (target refresh, §12.2.2)', async () => {
    bob.onRequest((incoming) => incoming.respond(200, { body: ANSWER, contentType: 'application/sdp', headers: [['Contact', '<sip:bob@127.0.0.2:5060;ob>']] }));
    const request = createInDialogRequest(alice.dialogState, 'INVITE', ++alice.dialogState.localSeq, { contact: '<sip:alice-moved@127.0.0.1:5070>', body: OFFER, contentType: 'application/sdp' });
    const result = await until(pair.alice.stack.request(request, pair.bob.endpoint));
    expect(result.ok && result.response.status).toBe(200);
    expect(bob.remoteTarget).toBe('sip:alice-moved@127.0.0.1:5070');
    const viaDialog = await until(alice.request('INVITE', { body: OFFER, contentType: 'application/sdp' }));
    expect(viaDialog.ok).toBe(true);
    expect(alice.remoteTarget).toBe('sip:bob@127.0.0.2:5060;ob');
  });

  it('answers 500 to a request whose CSeq is lower than the last one (§12.2.2)', async () => {
    bob.onRequest((incoming) => incoming.respond(200));
    expect((await until(alice.request('OPTIONS'))).ok).toBe(true);
    const stale = createInDialogRequest(alice.dialogState, 'OPTIONS', 1);
    const result = await until(pair.alice.stack.request(stale, pair.bob.endpoint));
    expect(result.ok && result.response.status).toBe(500);
  });

  it('ends the dialog when an in-dialog request gets no answer at all: a 408 (§12.2.1.2)', async () => {
    pair.network.partition('127.0.0.1', '127.0.0.2');
    const result = await until(alice.request('OPTIONS'));
    expect(result).toMatchObject({ ok: false, reason: 'timeout' });
    expect(await until(alice.ended)).toEqual({ by: 'remote', cause: 'gone', status: 408 });
    expect(pair.alice.ua.dialogs).toEqual([]);
  });

  it('answers 481 for a dialog the peer already ended, and the sender ends its side too', async () => {
    bob.terminate({ by: 'local', cause: 'closed' });
    const result = await until(alice.request('INFO', dtmfRelay('1')));
    expect(result.ok && result.response.status).toBe(481);
    expect(await until(alice.ended)).toEqual({ by: 'remote', cause: 'gone', status: 481 });
  });

  it('answers unhandled in-dialog requests sensibly: OPTIONS 200, INFO 200, re-INVITE 488, REFER 603, NOTIFY 481, MESSAGE 405', async () => {
    const statuses: Array<number | string> = [];
    for (const method of ['OPTIONS', 'INFO', 'INVITE', 'REFER', 'NOTIFY', 'MESSAGE']) {
      const result = await until(alice.request(method, method === 'REFER' ? { headers: [['Refer-To', '<sip:x@127.0.0.3>']] } : {}));
      statuses.push(result.ok ? result.response.status : result.reason);
    }
    expect(statuses).toEqual([200, 200, 488, 603, 481, 405]);
    expect(alice.state).toBe('confirmed');
  });

  it('refuses ACK and CANCEL through request(): the dialog sends those itself', () => {
    expect(() => alice.request('ACK')).toThrow(TypeError);
    expect(() => alice.request('CANCEL')).toThrow(TypeError);
  });

  it('sends to the remote target when there is no route set', async () => {
    const request = createInDialogRequest(alice.dialogState, 'INFO', 9);
    expect(request.uri).toBe('sip:bob@127.0.0.2:5060');
    expect(nextHop(request, 'UDP')).toEqual({ protocol: 'UDP', address: '127.0.0.2', port: 5060 });
  });
});
