/** Reception counters of one RtpSession, in the terms of RFC 3550 §6.4.1. */
export interface RtpReceiveStats {
  /** Every valid RTP packet, duplicates included. */
  readonly packetsReceived: number;
  /** Payload octets, as RTCP counts them (headers not included). */
  readonly bytesReceived: number;
  /** Expected (from the highest sequence number seen) minus received, never below 0. */
  readonly packetsLost: number;
  readonly packetsExpected: number;
  /** Packets that arrived after a later one, filling a gap. */
  readonly outOfOrder: number;
  readonly duplicates: number;
  /** Packets dropped as a sequence jump beyond MAX_DROPOUT before the source re-synchronised. */
  readonly discarded: number;
  /** Interarrival jitter estimate J of RFC 3550 §6.4.1, in timestamp units and in ms. */
  readonly jitter: number;
  readonly jitterMs: number;
  /** |D(i-1, i)| of each audio packet pair in ms: how far each arrival strayed from its timestamp. */
  readonly interarrivalDeviationMs: { readonly count: number; readonly p50: number; readonly p99: number; readonly max: number };
}

export type ReceivedPacketKind = 'in-order' | 'out-of-order' | 'duplicate' | 'discarded';

/** RFC 3550 Appendix A.1 limits. */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const SEQ_MOD = 65536;
/** How far back duplicates are recognised. */
const DUPLICATE_WINDOW = 1024;
/**
 * Histogram of deviations: 0.1 ms buckets up to 100 ms (4 KB per session, however long the call;
 * a server with hundreds of calls keeps one each). Slower ones share the last bucket, whose
 * percentile is reported as the largest deviation seen.
 */
const BUCKET_MS = 0.1;
const BUCKETS = 1001;

/**
 * Sequence, loss and jitter bookkeeping for received RTP, after RFC 3550 Appendix A.1 (sequence
 * validation, 16-bit wrap, MAX_DROPOUT / MAX_MISORDER), A.3 (expected and lost) and A.8 (jitter).
 * Pure: the caller passes each packet's arrival time.
 */
export class RtpReceiverStatistics {
  private ssrc: number | undefined;
  /** Extended sequence numbers start at SEQ_MOD so a packet from before the first one stays positive. */
  private baseExt = 0;
  private maxExt = 0;
  private badSeq: number | undefined;
  private readonly seen = new Float64Array(DUPLICATE_WINDOW).fill(-1);
  private uniqueInSource = 0;
  private expectedBefore = 0;
  private uniqueBefore = 0;
  private received = 0;
  private bytes = 0;
  private outOfOrder = 0;
  private duplicates = 0;
  private discarded = 0;
  private jitter = 0;
  /** The previous packet's arrival and timestamp, for jitter; NaN arrival when there is none. */
  private lastArrivalMs = NaN;
  private lastTimestamp = 0;
  private readonly histogram = new Uint32Array(BUCKETS);
  private deviations = 0;
  private maxDeviationMs = 0;

  constructor(private readonly clockRate = 8000) {}

  /**
   * Records one packet. `forJitter` is false for payloads whose timestamp is not a sampling instant
   * (RFC 4733 events repeat one timestamp for 100 ms or more), which would read as jitter.
   */
  record(
    packet: { ssrc: number; sequenceNumber: number; timestamp: number; payloadLength: number },
    arrivalMs: number,
    forJitter = true,
  ): ReceivedPacketKind {
    return this.recordFields(packet.ssrc, packet.sequenceNumber, packet.timestamp, packet.payloadLength, arrivalMs, forJitter);
  }

  /** `record` without the packet object: a session's receive path, 50 times a second per call. */
  recordFields(ssrc: number, sequenceNumber: number, timestamp: number, payloadLength: number, arrivalMs: number, forJitter = true): ReceivedPacketKind {
    let kind: ReceivedPacketKind = 'in-order';
    if (ssrc !== this.ssrc) this.restart(ssrc, sequenceNumber);
    else kind = this.updateSequence(sequenceNumber);
    if (kind === 'discarded') return kind;
    this.received++;
    this.bytes += payloadLength;
    if (kind !== 'duplicate' && forJitter) this.updateJitter(timestamp, arrivalMs);
    return kind;
  }

  snapshot(): RtpReceiveStats {
    const expected = this.expectedBefore + (this.ssrc === undefined ? 0 : this.maxExt - this.baseExt + 1);
    const unique = this.uniqueBefore + this.uniqueInSource;
    return {
      packetsReceived: this.received,
      bytesReceived: this.bytes,
      packetsLost: Math.max(0, expected - unique),
      packetsExpected: expected,
      outOfOrder: this.outOfOrder,
      duplicates: this.duplicates,
      discarded: this.discarded,
      jitter: this.jitter,
      jitterMs: (this.jitter * 1000) / this.clockRate,
      interarrivalDeviationMs: {
        count: this.deviations,
        p50: this.deviationPercentile(50),
        p99: this.deviationPercentile(99),
        max: this.maxDeviationMs,
      },
    };
  }

  /** The p-th percentile (0..100) of |D| in ms, to the 0.1 ms bucket's upper edge; 0 with no data. */
  deviationPercentile(p: number): number {
    if (this.deviations === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.deviations));
    let cumulative = 0;
    for (let i = 0; i < BUCKETS; i++) {
      cumulative += this.histogram[i]!;
      if (cumulative >= rank) return i === BUCKETS - 1 ? this.maxDeviationMs : Math.min(this.maxDeviationMs, Number((i * BUCKET_MS).toFixed(1)));
    }
    return this.maxDeviationMs;
  }

  /** A new SSRC is a new source (RFC 3550 A.1): fold the old one's counts into the totals. */
  private restart(ssrc: number, seq: number): void {
    if (this.ssrc !== undefined) {
      this.expectedBefore += this.maxExt - this.baseExt + 1;
      this.uniqueBefore += this.uniqueInSource;
    }
    this.ssrc = ssrc;
    this.resync(seq);
  }

  private resync(seq: number): void {
    this.baseExt = this.maxExt = SEQ_MOD + seq;
    this.badSeq = undefined;
    this.seen.fill(-1);
    this.markSeen(this.maxExt);
    this.uniqueInSource = 1;
    // Timestamps restart with the sequence, so the previous arrival says nothing about jitter.
    this.lastArrivalMs = NaN;
  }

  private updateSequence(seq: number): ReceivedPacketKind {
    const delta = (seq - this.maxExt + SEQ_MOD * 2) % SEQ_MOD;
    if (delta !== 0 && delta < MAX_DROPOUT) {
      // In order, possibly after a gap; the 16-bit wrap is absorbed by the extended number.
      this.maxExt += delta;
      this.markSeen(this.maxExt);
      this.uniqueInSource++;
      return 'in-order';
    }
    if (delta === 0 || delta > SEQ_MOD - MAX_MISORDER) {
      const ext = this.maxExt - (delta === 0 ? 0 : SEQ_MOD - delta);
      if (this.isSeen(ext)) {
        this.duplicates++;
        return 'duplicate';
      }
      this.markSeen(ext);
      this.uniqueInSource++;
      this.outOfOrder++;
      if (ext < this.baseExt) this.baseExt = ext;
      return 'out-of-order';
    }
    // A jump too big to be loss: the sender restarted. Trust it only when the next packet follows
    // on from it (RFC 3550 A.1), then start a new sequence.
    if (this.badSeq === seq) {
      this.expectedBefore += this.maxExt - this.baseExt + 1;
      this.uniqueBefore += this.uniqueInSource;
      this.resync(seq);
      return 'in-order';
    }
    this.badSeq = (seq + 1) % SEQ_MOD;
    this.discarded++;
    return 'discarded';
  }

  private markSeen(ext: number): void {
    this.seen[ext % DUPLICATE_WINDOW] = ext;
  }

  private isSeen(ext: number): boolean {
    return this.seen[ext % DUPLICATE_WINDOW] === ext;
  }

  /** RFC 3550 §6.4.1 / A.8: J += (|D(i-1,i)| - J) / 16, D from consecutive arrivals. */
  private updateJitter(timestamp: number, arrivalMs: number): void {
    const lastArrivalMs = this.lastArrivalMs;
    const lastTimestamp = this.lastTimestamp;
    this.lastArrivalMs = arrivalMs;
    this.lastTimestamp = timestamp;
    if (Number.isNaN(lastArrivalMs)) return;
    // The timestamp difference is taken as a signed 32-bit value so that the wrap is harmless.
    const timestampDelta = ((timestamp - lastTimestamp) >>> 0) | 0;
    const d = ((arrivalMs - lastArrivalMs) * this.clockRate) / 1000 - timestampDelta;
    const absD = Math.abs(d);
    this.jitter += (absD - this.jitter) / 16;
    const deviationMs = (absD * 1000) / this.clockRate;
    // Bucket i holds ((i-1)·0.1, i·0.1] ms, so bucket 0 is exactly on time.
    this.histogram[Math.min(BUCKETS - 1, Math.ceil(deviationMs / BUCKET_MS - 1e-9))]!++;
    this.deviations++;
    this.maxDeviationMs = Math.max(this.maxDeviationMs, deviationMs);
  }
}
