import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DigestServer, formatChallenge, parseCredentials } from '../digest/index.js';
import { createRequest, createResponse, generateCallId, type SipResponse } from '../message/index.js';
import type { IncomingInvite } from './IncomingInvite.js';
import { ANSWER, bobAnswers, createPair, flush, OFFER, until, type Pair } from './fixtures.case.js';

let pair: Pair;

beforeEach(() => {
  vi.useFakeTimers();
  pair = createPair();
});

afterEach(async () => {
  await pair.close();
  vi.useRealTimers();
});


function aliceCalls(extra: Partial<Parameters<Pair['alice']['ua']['invite']>[0]> = {}) {
  return pair.alice.ua.invite({ target: pair.bob.uri, from: pair.alice.uri, destination: pair.bob.endpoint, sdp: OFFER, ...extra });
}

describe('UserAgent: a basic call', () => {
  it('runs INVITE, 180, 200, ACK and a BYE from the caller', async () => {
    const calls = bobAnswers(pair);
    const provisional: number[] = [];
    const result = await until(aliceCalls({ onProvisional: (r) => provisional.push(r.status) }).result);
    if (!result.ok) throw new Error(`call failed: ${result.status}`);
    expect(provisional).toEqual([180]);
    expect(result.response.body.toString()).toBe(ANSWER);

    const call = calls[0];
    const ack = await until(call?.acked ?? Promise.resolve(undefined));
    expect(ack?.method).toBe('ACK');
    expect(call?.offer).toBe(OFFER);
    const bobDialog = pair.bob.ua.dialogs[0];
    // Both ends name the same dialog, mirrored (§12).
    expect(bobDialog?.id).toEqual({ callId: result.dialog.id.callId, localTag: result.dialog.id.remoteTag, remoteTag: result.dialog.id.localTag });
    expect(result.dialog.remoteTarget).toBe('sip:bob@127.0.0.2:5060');
    expect(bobDialog?.remoteTarget).toBe('sip:alice@127.0.0.1:5070');

    const bye = await until(result.dialog.bye());
    expect(bye.ok && bye.response.status).toBe(200);
    expect(result.dialog.state).toBe('terminated');
    const ended = await until(bobDialog?.ended ?? Promise.reject(new Error('no dialog')));
    expect(ended).toMatchObject({ by: 'remote', cause: 'bye' });
    expect(pair.wire).toEqual(['alice> INVITE', 'bob> 180 INVITE', 'bob> 200 INVITE', 'alice> ACK', 'alice> BYE', 'bob> 200 BYE']);
    expect(pair.alice.ua.dialogs).toEqual([]);
    expect(pair.bob.ua.dialogs).toEqual([]);
  });

  it('lets the callee hang up: its BYE takes CSeq 1, the caller sees terminated by remote', async () => {
    const calls = bobAnswers(pair);
    const result = await until(aliceCalls().result);
    if (!result.ok) throw new Error('call failed');
    await until(calls[0]?.acked ?? Promise.resolve(undefined));
    const terminated: string[] = [];
    result.dialog.on('terminated', (why) => terminated.push(`${why.by} ${why.cause}`));
    const bobDialog = pair.bob.ua.dialogs[0];
    const bye = await until(bobDialog?.bye() ?? Promise.reject(new Error('no dialog')));
    expect(bye.ok && bye.response.status).toBe(200);
    await flush();
    expect(terminated).toEqual(['remote bye']);
    // §12.1.1: the UAS's local sequence number starts empty, so its first request picks 1.
    expect(bye.ok && bye.response.headers.get('CSeq')).toBe('1 BYE');
    // §12.1.2: the caller's next request follows its INVITE's CSeq.
    expect(await until(result.dialog.request('INFO'))).toEqual({ ok: false, reason: 'terminated' });
  });

  it('places and answers a call over TCP', async () => {
    await pair.close();
    pair = createPair({ protocol: 'TCP' });
    const calls = bobAnswers(pair);
    const result = await until(aliceCalls().result);
    if (!result.ok) throw new Error(`call failed: ${result.status}`);
    await until(calls[0]?.acked ?? Promise.resolve(undefined));
    expect(result.dialog.remoteTarget).toBe('sip:bob@127.0.0.2:5060;transport=tcp');
    const bye = await until(result.dialog.bye());
    expect(bye.ok && bye.response.status).toBe(200);
    // Over TCP nothing is retransmitted.
    expect(pair.wire).toEqual(['alice> INVITE', 'bob> 180 INVITE', 'bob> 200 INVITE', 'alice> ACK', 'alice> BYE', 'bob> 200 BYE']);
  });

  it('reports 486 Busy Here and leaves no dialog', async () => {
    pair.bob.ua.onInvite((call) => call.reject(486));
    const result = await until(aliceCalls().result);
    expect(result).toMatchObject({ ok: false, status: 486, reason: 'Busy Here' });
    await flush();
    // The ACK for a non-2xx is the transaction's (§17.1.1.3) and is absorbed by Bob's.
    expect(pair.wire).toEqual(['alice> INVITE', 'bob> 486 INVITE', 'alice> ACK']);
    expect(pair.alice.ua.dialogs).toEqual([]);
    expect(pair.bob.ua.dialogs).toEqual([]);
  });

  it('cancels a ringing call: CANCEL, 200, 487 to the INVITE, and the callee hears cancelled', async () => {
    const cancelled: string[] = [];
    let incoming: IncomingInvite | undefined;
    pair.bob.ua.onInvite((call) => {
      incoming = call;
      call.on('cancelled', () => cancelled.push('cancelled'));
      call.ring();
    });
    let ringing!: () => void;
    const rang = new Promise<void>((resolve) => (ringing = resolve));
    const call = aliceCalls({ onProvisional: () => ringing() });
    await until(rang);
    call.cancel();
    const result = await until(call.result);
    expect(result).toMatchObject({ ok: false, status: 487 });
    expect(cancelled).toEqual(['cancelled']);
    expect(incoming?.state).toBe('cancelled');
    // A late answer after the CANCEL is refused, not sent.
    expect(incoming?.answer({ sdp: ANSWER })).toBeUndefined();
    await flush();
    expect(pair.wire).toEqual(['alice> INVITE', 'bob> 180 INVITE', 'alice> CANCEL', 'bob> 200 CANCEL', 'bob> 487 INVITE', 'alice> ACK']);
  });

  it('holds a CANCEL requested before any provisional response until one arrives (§9.1)', async () => {
    pair.bob.ua.onInvite(() => undefined); // never answers: the transaction's own 100 Trying comes after 200 ms
    const call = aliceCalls();
    call.cancel();
    await flush();
    expect(pair.wire).toEqual(['alice> INVITE']);
    const result = await until(call.result);
    expect(result).toMatchObject({ ok: false, status: 487 });
    expect(pair.wire.slice(0, 4)).toEqual(['alice> INVITE', 'bob> 100 INVITE', 'alice> CANCEL', 'bob> 200 CANCEL']);
  });

  it('supports an INVITE without SDP: the offer is in the 200, the answer in the ACK', async () => {
    const seenOffers: string[] = [];
    let incoming: IncomingInvite | undefined;
    pair.bob.ua.onInvite((call) => {
      incoming = call;
      call.answer({ sdp: ANSWER }); // here ANSWER plays Bob's offer
    });
    const result = await until(
      pair.alice.ua.invite({
        target: pair.bob.uri,
        from: pair.alice.uri,
        destination: pair.bob.endpoint,
        answer: (offer) => {
          seenOffers.push(offer);
          return OFFER;
        },
      }).result,
    );
    expect(result.ok).toBe(true);
    expect(incoming?.offer).toBeUndefined();
    expect(seenOffers).toEqual([ANSWER]);
    const ack = await until(incoming?.acked ?? Promise.resolve(undefined));
    expect(ack?.body.toString()).toBe(OFFER);
    expect(ack?.headers.get('Content-Type')).toBe('application/sdp');
  });

  it('answers a 407 from a challenging callee with digest credentials, in a new INVITE with the next CSeq', async () => {
    const server = new DigestServer({ realm: 'pbx.test' });
    const invites: string[] = [];
    pair.bob.ua.onInvite((call) => {
      const auth = call.request.headers.get('Proxy-Authorization');
      invites.push(call.request.headers.get('CSeq') ?? '');
      const credentials = auth === undefined ? undefined : parseCredentials(auth);
      if (credentials === undefined || server.verify(credentials, 'INVITE', 'secret') !== 'ok') {
        call.reject(407, { headers: server.challenge().map((c): [string, string] => ['Proxy-Authenticate', formatChallenge(c)]) });
        return;
      }
      call.answer({ sdp: ANSWER });
    });
    const call = aliceCalls({ credentials: { username: 'alice', password: 'secret' } });
    const result = await until(call.result);
    if (!result.ok) throw new Error(`call failed: ${result.status}`);
    expect(invites).toEqual(['1 INVITE', '2 INVITE']);
    await flush();
    expect(pair.wire).toEqual(['alice> INVITE', 'bob> 407 INVITE', 'alice> ACK', 'alice> INVITE', 'bob> 200 INVITE', 'alice> ACK']);
    // §13.2.2.4: the ACK for the 2xx carries the INVITE's credentials; §22.1: the dialog keeps them for later challenges.
    const bye = await until(result.dialog.bye());
    expect(bye.ok && bye.response.headers.get('CSeq')).toBe('3 BYE');
  });

  it('gives up after refused credentials with the second 407', async () => {
    const server = new DigestServer({ realm: 'pbx.test' });
    pair.bob.ua.onInvite((call) => call.reject(407, { headers: server.challenge().map((c): [string, string] => ['Proxy-Authenticate', formatChallenge(c)]) }));
    const result = await until(aliceCalls({ credentials: { username: 'alice', password: 'wrong' } }).result);
    expect(result).toMatchObject({ ok: false, status: 407 });
    expect(pair.wire.filter((m) => m === 'alice> INVITE')).toHaveLength(2);
  });

  it('reports 408 when nobody answers the INVITE (Timer B)', async () => {
    pair.network.partition('127.0.0.1', '127.0.0.2');
    const result = await until(aliceCalls().result);
    expect(result).toMatchObject({ ok: false, status: 408 });
  });

  it('ACKs and hangs up a second 2xx from another fork, keeping the first dialog (§13.2.2.4)', async () => {
    pair.bob.ua.onInvite((call) => {
      call.answer({ sdp: ANSWER });
      // A forking proxy would deliver a second callee's answer: same INVITE, another To tag.
      call.tx.respond(createResponse(call.request, 200, undefined, { toTag: 'fork-2', headers: [['Contact', '<sip:carol@127.0.0.2:5060>']], body: ANSWER, contentType: 'application/sdp' }));
    });
    const result = await until(aliceCalls().result);
    if (!result.ok) throw new Error('call failed');
    await until(vi.advanceTimersByTimeAsync(100));
    expect(result.dialog.state).toBe('confirmed');
    expect(result.dialog.id.remoteTag).not.toBe('fork-2');
    expect(pair.alice.ua.dialogs).toEqual([result.dialog]);
    // Bob's UA knows no fork-2 dialog, so the BYE for it gets 481; what matters is that Alice sent ACK and BYE.
    expect(pair.wire).toEqual(['alice> INVITE', 'bob> 200 INVITE', 'bob> 200 INVITE', 'alice> ACK', 'alice> ACK', 'alice> BYE', 'bob> 481 BYE']);
  });

  it('answers new requests 503 once closed, and ends its dialogs without a BYE', async () => {
    bobAnswers(pair);
    const result = await until(aliceCalls().result);
    if (!result.ok) throw new Error('call failed');
    const bobDialog = pair.bob.ua.dialogs[0];
    pair.bob.ua.close();
    expect(await until(bobDialog?.ended ?? Promise.reject(new Error('no dialog')))).toEqual({ by: 'local', cause: 'closed' });
    const again = await until(aliceCalls().result);
    expect(again).toMatchObject({ ok: false, status: 503 });
    expect(pair.wire.filter((m) => m === 'bob> BYE')).toEqual([]);
  });

  it('lets ring, answer and reject report whether they still apply', async () => {
    const outcomes: unknown[] = [];
    pair.bob.ua.onInvite((call) => {
      outcomes.push(call.reject(603), call.ring(), call.reject(486), call.state);
      expect(() => call.answer()).toThrow(/already rejected/);
      expect(() => call.ring({ status: 200 })).toThrow(RangeError);
      expect(() => call.reject(200)).toThrow(RangeError);
    });
    expect(await until(aliceCalls().result)).toMatchObject({ ok: false, status: 603 });
    expect(outcomes).toEqual([true, false, false, 'rejected']);
  });

  it('throws at the call site on a malformed target or identity', () => {
    expect(() => aliceCalls({ target: 'not a uri' })).toThrow(/target/);
    expect(() => aliceCalls({ from: '<garbage' })).toThrow(/from/);
  });
});

describe('UserAgent: requests outside a dialog', () => {
  async function send(method: string, headers: Array<[string, string]> = [], toTag?: string): Promise<SipResponse> {
    const to = `<${pair.bob.uri}>${toTag === undefined ? '' : `;tag=${toTag}`}`;
    const request = createRequest({
      method,
      uri: pair.bob.uri,
      headers: [['From', `<${pair.alice.uri}>;tag=a1`], ['To', to], ['Call-ID', generateCallId()], ['CSeq', `1 ${method}`], ...headers],
    });
    const result = await until(pair.alice.stack.request(request, pair.bob.endpoint));
    if (!result.ok) throw new Error(`${method}: ${result.reason}`);
    return result.response;
  }

  it('answers 481 to a request for a dialog it does not know (§12.2.2)', async () => {
    expect((await send('BYE', [], 'unknown')).status).toBe(481);
    expect((await send('INFO', [], 'unknown')).status).toBe(481);
    expect((await send('BYE')).status).toBe(481);
  });

  it('answers OPTIONS 200 with Allow, an INVITE nobody takes 480, an unknown method 501, a Require other than 100rel 420', async () => {
    const options = await send('OPTIONS');
    expect([options.status, options.headers.get('Allow')]).toEqual([200, 'INVITE']);
    expect(options.headers.getAll('Allow')).toContain('REFER');
    expect((await send('INVITE')).status).toBe(480);
    expect((await send('FROBNICATE')).status).toBe(501);
    const required = await send('INVITE', [['Require', '100rel, precondition']]);
    expect([required.status, required.headers.get('Unsupported')]).toEqual([420, 'precondition']);
    expect((await send('INVITE', [['Require', '100rel']])).status).toBe(480);
  });

  it('hands other requests to onRequest, and answers 500 when the handler throws', async () => {
    pair.bob.ua.onRequest((incoming) => {
      if (incoming.method === 'MESSAGE') incoming.respond(202);
      else throw new Error('boom');
    });
    const message = await send('MESSAGE');
    expect(message.status).toBe(202);
    // A final response out of dialog carries a To tag (§8.2.6.2).
    expect(message.headers.get('To')).toMatch(/;tag=/);
    expect((await send('OPTIONS')).status).toBe(500);
    expect(pair.bob.warnings.join('\n')).toMatch(/OPTIONS handler threw: Error: boom/);
  });
});
