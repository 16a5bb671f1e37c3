import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseMessage, type SipResponse } from '../message/index.js';
import type { IncomingInvite } from './IncomingInvite.js';
import { ANSWER, createPair, flush, isRequest, OFFER, T1, until, type Pair } from './fixtures.case.js';

let pair: Pair;

beforeEach(() => {
  vi.useFakeTimers();
  pair = createPair();
});

afterEach(async () => {
  await pair.close();
  vi.useRealTimers();
});

function answerCalls(): IncomingInvite[] {
  const calls: IncomingInvite[] = [];
  pair.bob.ua.onInvite((call) => {
    calls.push(call);
    call.answer({ sdp: ANSWER });
  });
  return calls;
}

function call() {
  return pair.alice.ua.invite({ target: pair.bob.uri, from: pair.alice.uri, destination: pair.bob.endpoint, sdp: OFFER });
}

/** Drops the first `count` ACKs on the network. */
function dropAcks(count: number): void {
  let left = count;
  pair.network.dropWhen((packet) => isRequest('ACK')(packet) && left-- > 0);
}

describe('2xx retransmission until the ACK (RFC 3261 §13.3.1.4, §13.2.2.4)', () => {
  it('retransmits the 200 while ACKs are lost, and the caller ACKs each copy again', async () => {
    const calls = answerCalls();
    dropAcks(2);
    const result = await until(call().result);
    expect(result.ok).toBe(true);
    const ack = await until(calls[0]?.acked ?? Promise.resolve(undefined));
    expect(ack?.method).toBe('ACK');
    expect(pair.wire.filter((m) => m === 'bob> 200 INVITE')).toHaveLength(3);
    expect(pair.wire.filter((m) => m === 'alice> ACK')).toHaveLength(3);
    // Once ACKed, no more copies, however long we wait.
    await vi.advanceTimersByTimeAsync(64 * T1);
    expect(pair.wire.filter((m) => m === 'bob> 200 INVITE')).toHaveLength(3);
    expect(pair.bob.ua.dialogs).toHaveLength(1);
  });

  it('backs off T1, 2*T1, 4*T1... capped at T2 and sends BYE after 64*T1 without an ACK', async () => {
    const calls = answerCalls();
    pair.network.dropWhen(isRequest('ACK'));
    const okTimes: number[] = [];
    const start = Date.now();
    const bobSent = (entry: Buffer): void => {
      const parsed = parseMessage(entry);
      if (parsed.ok && parsed.message.type === 'response' && parsed.message.status === 200 && parsed.message.headers.get('CSeq')?.endsWith('INVITE')) okTimes.push(Date.now() - start);
    };
    const original = pair.bob.stack.transport.send.bind(pair.bob.stack.transport);
    pair.bob.stack.transport.send = (data, destination, flowId) => {
      bobSent(data);
      return original(data, destination, flowId);
    };
    const result = await until(call().result);
    if (!result.ok) throw new Error('call failed');
    const aliceEnded = result.dialog.ended;
    const acked = await until(calls[0]?.acked ?? Promise.resolve(null));
    expect(acked).toBeUndefined();
    const bobDialog = pair.bob.ua.dialogs[0];
    expect(bobDialog).toBeUndefined(); // ended, so forgotten
    expect(await until(aliceEnded)).toMatchObject({ by: 'remote', cause: 'bye' });
    // 0, then +T1, +2T1, +4T1, then every T2 (4 s) until 64*T1 = 32 s.
    expect(okTimes).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(pair.wire.filter((m) => m === 'bob> BYE')).toHaveLength(1);
    expect(pair.bob.warnings.join('\n')).toMatch(/no ACK for our 2xx within 64\*T1/);
  });

  it('reports the no-ACK termination as local, cause no-ack', async () => {
    const calls = answerCalls();
    pair.network.dropWhen(isRequest('ACK'));
    await until(call().result);
    const terminated: unknown[] = [];
    const dialog = pair.bob.ua.dialogs[0];
    dialog?.on('terminated', (why) => terminated.push(why));
    await until(calls[0]?.acked ?? Promise.resolve(undefined));
    await flush();
    expect(terminated).toEqual([{ by: 'local', cause: 'no-ack' }]);
  });

  it('stops retransmitting when a BYE overtakes the lost ACK', async () => {
    const calls = answerCalls();
    dropAcks(1);
    const result = await until(call().result);
    if (!result.ok) throw new Error('call failed');
    await flush();
    const bye = await until(result.dialog.bye());
    expect(bye.ok && bye.response.status).toBe(200);
    expect(await until(calls[0]?.acked ?? Promise.resolve(null))).toBeUndefined();
    const before = pair.wire.length;
    await vi.advanceTimersByTimeAsync(64 * T1);
    // Alice's ACK of any late copy is all that may follow; Bob sends nothing more.
    expect(pair.wire.slice(before).filter((m) => m.startsWith('bob>'))).toEqual([]);
  });

  it('ACKs again a 2xx that arrives after the INVITE transaction ended (Timer M, stray response)', async () => {
    answerCalls();
    const result = await until(call().result);
    if (!result.ok) throw new Error('call failed');
    await vi.advanceTimersByTimeAsync(64 * T1 + 1);
    const acksBefore = pair.wire.filter((m) => m === 'alice> ACK').length;
    // Bob's UA is long done with it: stand in for a copy of the 2xx that was stuck in the network.
    const { status, reason, body } = result.response;
    const copy: SipResponse = { type: 'response', status, reason, headers: result.response.headers.clone(), body };
    await pair.bob.stack.sendStateless(copy, pair.alice.endpoint);
    await flush();
    expect(pair.wire.filter((m) => m === 'alice> ACK').length).toBe(acksBefore + 1);
  });
});
