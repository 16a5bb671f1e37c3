import { describe, expect, it } from 'vitest';
import { RtpReceiverStatistics } from './RtpReceiverStatistics.js';

/** Feeds packets given as [sequence, arrival ms]; timestamps follow the sequence at 160 per packet. */
function feed(stats: RtpReceiverStatistics, packets: Array<[number, number]>, ssrc = 1): string[] {
  return packets.map(([seq, at]) => stats.record({ ssrc, sequenceNumber: seq, timestamp: (seq * 160) >>> 0, payloadLength: 160 }, at));
}

const steady = (first: number, count: number, startMs = 0) =>
  Array.from({ length: count }, (_, i): [number, number] => [(first + i) % 65536, startMs + i * 20]);

describe('RtpReceiverStatistics', () => {
  it('counts a clean stream: no loss, no jitter', () => {
    const stats = new RtpReceiverStatistics();
    feed(stats, steady(1000, 50));
    expect(stats.snapshot()).toMatchObject({
      packetsReceived: 50,
      bytesReceived: 8000,
      packetsExpected: 50,
      packetsLost: 0,
      outOfOrder: 0,
      duplicates: 0,
      jitter: 0,
      interarrivalDeviationMs: { count: 49, p50: 0, p99: 0, max: 0 },
    });
  });

  it('counts gaps as loss across the 16-bit sequence wrap', () => {
    const stats = new RtpReceiverStatistics();
    const packets = steady(65530, 12).filter(([seq]) => seq !== 65534 && seq !== 1);
    expect(feed(stats, packets).every((k) => k === 'in-order')).toBe(true);
    expect(stats.snapshot()).toMatchObject({ packetsReceived: 10, packetsExpected: 12, packetsLost: 2 });
  });

  it('tells reordered packets from duplicates, and a late packet fills its gap', () => {
    const stats = new RtpReceiverStatistics();
    const kinds = feed(stats, [[10, 0], [12, 40], [11, 41], [12, 42], [13, 60], [10, 61]]);
    expect(kinds).toEqual(['in-order', 'in-order', 'out-of-order', 'duplicate', 'in-order', 'duplicate']);
    expect(stats.snapshot()).toMatchObject({ packetsReceived: 6, packetsExpected: 4, packetsLost: 0, outOfOrder: 1, duplicates: 2 });
  });

  it('handles a packet from before the wrap that arrives after it', () => {
    const stats = new RtpReceiverStatistics();
    const kinds = feed(stats, [[65534, 0], [0, 40], [65535, 41], [1, 60]]);
    expect(kinds).toEqual(['in-order', 'in-order', 'out-of-order', 'in-order']);
    expect(stats.snapshot()).toMatchObject({ packetsExpected: 4, packetsLost: 0, outOfOrder: 1 });
  });

  it('counts a packet older than the first one as out of order, not as negative loss', () => {
    const stats = new RtpReceiverStatistics();
    feed(stats, [[101, 0], [100, 1], [102, 20]]);
    expect(stats.snapshot()).toMatchObject({ packetsExpected: 3, packetsLost: 0, outOfOrder: 1 });
  });

  it('discards one wild sequence jump, and re-synchronises when the sender really restarted (RFC 3550 A.1)', () => {
    const stats = new RtpReceiverStatistics();
    feed(stats, steady(100, 5));
    expect(feed(stats, [[30_000, 100]])).toEqual(['discarded']);
    expect(feed(stats, [[105, 120]])).toEqual(['in-order']);
    expect(feed(stats, [[40_000, 140], [40_001, 160], [40_002, 180]])).toEqual(['discarded', 'in-order', 'in-order']);
    expect(stats.snapshot()).toMatchObject({ discarded: 2, packetsReceived: 8, packetsExpected: 8, packetsLost: 0 });
  });

  it('starts a new sequence for a new SSRC and keeps the totals', () => {
    const stats = new RtpReceiverStatistics();
    feed(stats, steady(10, 5).filter(([seq]) => seq !== 12), 1);
    feed(stats, steady(5000, 5, 200), 2);
    expect(stats.snapshot()).toMatchObject({ packetsReceived: 9, packetsExpected: 10, packetsLost: 1 });
  });

  it('estimates jitter per RFC 3550 A.8 and the inter-arrival deviation percentiles', () => {
    const stats = new RtpReceiverStatistics();
    // Every other packet arrives 4 ms late: |D| alternates 4 ms, 4 ms (32 timestamp units).
    const packets = steady(0, 201).map(([seq, at]): [number, number] => [seq, at + (seq % 2 === 1 ? 4 : 0)]);
    feed(stats, packets);
    const snapshot = stats.snapshot();
    // J converges to the mean |D| of 32 units: after 200 steps of 1/16 it is there to within 1e-4.
    expect(snapshot.jitter).toBeCloseTo(32, 3);
    expect(snapshot.jitterMs).toBeCloseTo(4, 3);
    expect(snapshot.interarrivalDeviationMs).toEqual({ count: 200, p50: 4, p99: 4, max: 4 });
  });

  it('puts slow packets in the tail of the deviation distribution', () => {
    const stats = new RtpReceiverStatistics();
    const packets = steady(0, 201).map(([seq, at]): [number, number] => [seq, at + (seq === 100 || seq === 150 ? 30 : 0)]);
    feed(stats, packets);
    const { interarrivalDeviationMs } = stats.snapshot();
    expect(interarrivalDeviationMs.p50).toBe(0);
    expect(interarrivalDeviationMs.max).toBe(30);
    // Each slow packet gives two 30 ms deviations (late, then early relative to it): 4 of 200, the top 2 %.
    expect(interarrivalDeviationMs.p99).toBe(30);
    expect(stats.deviationPercentile(98)).toBe(0);
  });

  it('reports deviations past the histogram (100 ms) as the largest seen', () => {
    const stats = new RtpReceiverStatistics();
    const packets = steady(0, 101).map(([seq, at]): [number, number] => [seq, at + (seq === 50 ? 250 : 0)]);
    feed(stats, packets);
    expect(stats.deviationPercentile(99)).toBe(250);
    expect(stats.deviationPercentile(50)).toBe(0);
  });

  it('keeps repeated-timestamp packets out of the jitter when told to', () => {
    const stats = new RtpReceiverStatistics();
    for (let i = 0; i < 10; i++) stats.record({ ssrc: 1, sequenceNumber: i, timestamp: 800, payloadLength: 4 }, i * 50, false);
    expect(stats.snapshot()).toMatchObject({ packetsReceived: 10, jitter: 0, interarrivalDeviationMs: { count: 0 } });
  });

  it('survives the 32-bit timestamp wrap without a jitter spike', () => {
    const stats = new RtpReceiverStatistics();
    for (let i = 0; i < 10; i++) {
      stats.record({ ssrc: 1, sequenceNumber: i, timestamp: (0xffffff00 + i * 160) >>> 0, payloadLength: 160 }, i * 20);
    }
    expect(stats.snapshot().jitter).toBe(0);
  });
});
