import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DialogTermination } from './Dialog.js';
import { ANSWER, createPair, OFFER, until, type Pair } from './fixtures.case.js';

let pair: Pair;

beforeEach(() => {
  vi.useFakeTimers();
  pair = createPair({ seed: 2024 });
});

afterEach(async () => {
  await pair.close();
  vi.useRealTimers();
});

describe('calls over a network that loses 20% of UDP datagrams', () => {
  it('completes 50 calls (INVITE, 180, 200, ACK, BYE) with both ends seeing the call start and end once', async () => {
    const calleeEnds: DialogTermination[] = [];
    const acks: Array<Promise<unknown>> = [];
    pair.bob.ua.onInvite((call) => {
      call.ring();
      // A moment between 180 and 200, as real phones leave.
      setTimeout(() => {
        const dialog = call.answer({ sdp: ANSWER });
        dialog?.on('terminated', (why) => calleeEnds.push(why));
        acks.push(call.acked);
      }, 20);
    });
    pair.network.setDropRate(0.2);

    const calls = Array.from({ length: 50 }, async (_, i) => {
      const result = await pair.alice.ua.invite({ target: `sip:bob-${i}@127.0.0.2:5060`, from: pair.alice.uri, destination: pair.bob.endpoint, sdp: OFFER }).result;
      if (!result.ok) return `call ${i}: ${result.status} ${result.reason}`;
      const bye = await result.dialog.bye();
      return bye.ok ? bye.response.status : `call ${i}: BYE ${bye.reason}`;
    });
    const outcomes = await until(Promise.all(calls), 5 * 60_000);
    expect(outcomes).toEqual(Array.from({ length: 50 }, () => 200));
    await until(Promise.all(acks));
    expect(calleeEnds).toHaveLength(50);
    // Every callee saw the caller's BYE; none had to give up on a missing ACK.
    expect(calleeEnds.every((why) => why.by === 'remote' && why.cause === 'bye')).toBe(true);
    expect(pair.alice.ua.dialogs).toEqual([]);
    expect(pair.bob.ua.dialogs).toEqual([]);
    // The loss was real, and absorbed by retransmissions.
    expect(pair.network.stats.dropped).toBeGreaterThan(50);
    expect(pair.wire.filter((m) => m === 'alice> INVITE').length).toBeGreaterThan(50);
  });

  it('completes 20 transfers (REFER, 202, NOTIFY 100 and 200) with progress in order', async () => {
    pair.bob.ua.onInvite((call) => {
      const dialog = call.answer({ sdp: ANSWER });
      dialog?.onRefer((refer) => void refer.notify(200, { terminated: true }));
    });
    pair.network.setDropRate(0.2);
    const transfers = Array.from({ length: 20 }, async (_, i) => {
      const result = await pair.alice.ua.invite({ target: `sip:bob-${i}@127.0.0.2:5060`, from: pair.alice.uri, destination: pair.bob.endpoint, sdp: OFFER }).result;
      if (!result.ok) return `call ${i}: ${result.status}`;
      const refer = result.dialog.refer('sip:200@127.0.0.3');
      const progress: number[] = [];
      refer.on('progress', (frag) => progress.push(frag.status));
      const outcome = await refer.outcome;
      await result.dialog.bye();
      return `${outcome.ended} ${progress.join(',')}`;
    });
    const outcomes = await until(Promise.all(transfers), 5 * 60_000);
    expect(outcomes).toEqual(Array.from({ length: 20 }, () => 'notified 100,200'));
  });
});
