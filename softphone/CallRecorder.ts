import { SAMPLE_RATE } from '../media/index.js';

/** What the recorder needs to know of a received frame (RtpSession's AudioFrameInfo fits). */
export interface RecordedFrameInfo {
  readonly ssrc: number;
  readonly timestamp: number;
  readonly arrivalMs: number;
}

/** Samples per ms at 8 kHz. */
const PER_MS = SAMPLE_RATE / 1000;
/** A stream whose timestamps stray this far from its arrival times has restarted: place it by arrival again. */
const MAX_DRIFT_SAMPLES = 5 * SAMPLE_RATE;

interface StreamAnchor {
  readonly timestamp: number;
  readonly position: number;
}

/**
 * Everything a call heard, 8 kHz mono, on one time line: each frame goes where its RTP timestamp
 * puts it, so lost packets, DTMF events (audio is suppressed while they play, RFC 4733 §2.5.1.1)
 * and pauses in the peer's stream stay as silence instead of pulling later audio forward. A new
 * stream (another SSRC, e.g. after a transfer to another media server) is placed by its arrival
 * time. The time line starts at `start()` (the answer) or at the first frame, whichever is first.
 */
export class CallRecorder {
  private samples = new Int16Array(SAMPLE_RATE * 4);
  private length = 0;
  private startMs: number | undefined;
  private readonly anchors = new Map<number, StreamAnchor>();

  /** Starts the time line at `atMs` (the clock of the frames' `arrivalMs`), unless a frame already did. */
  start(atMs: number): void {
    this.startMs ??= atMs;
  }

  write(pcm: Int16Array, info: RecordedFrameInfo): void {
    this.startMs ??= info.arrivalMs;
    const byArrival = Math.max(0, Math.round((info.arrivalMs - this.startMs) * PER_MS));
    let anchor = this.anchors.get(info.ssrc);
    let position = anchor === undefined ? undefined : anchor.position + ((info.timestamp - anchor.timestamp) | 0);
    if (anchor === undefined || position === undefined || position < 0 || Math.abs(position - byArrival) > MAX_DRIFT_SAMPLES) {
      anchor = { timestamp: info.timestamp, position: byArrival };
      this.anchors.set(info.ssrc, anchor);
      position = byArrival;
    }
    this.ensure(position + pcm.length);
    this.samples.set(pcm, position);
    this.length = Math.max(this.length, position + pcm.length);
  }

  /** A copy of the recording so far. */
  recording(): Int16Array {
    return this.samples.slice(0, this.length);
  }

  /** Recorded duration in ms. */
  get durationMs(): number {
    return this.length / PER_MS;
  }

  private ensure(size: number): void {
    if (size <= this.samples.length) return;
    const grown = new Int16Array(Math.max(size, this.samples.length * 2));
    grown.set(this.samples.subarray(0, this.length));
    this.samples = grown;
  }
}
