import type { MediaClock } from './MediaClock.js';

/**
 * Calls `onFrame(n)` at start + n × frameMs, for n = 0, 1, 2, ...
 *
 * Each wake-up is scheduled from the start time, never from the previous wake-up, so timer lateness
 * does not accumulate: after an hour the n-th frame still goes out within one timer slip of
 * start + n × 20 ms. When the event loop stalls, the frames that fell due are sent at once to
 * catch up, at most `maxCatchUpFrames` of them; older ones are skipped (their indexes too, so that
 * RTP timestamps keep following real time).
 */
export class FramePacer {
  private startMs = 0;
  private next = 0;
  private timer: unknown;
  private active = false;
  private skippedFrames = 0;

  constructor(
    private readonly clock: MediaClock,
    private readonly onFrame: (index: number) => void,
    readonly frameMs = 20,
    private readonly maxCatchUpFrames = 10,
  ) {}

  get running(): boolean {
    return this.active;
  }

  /** Frames skipped because the process was too late to send them. */
  get skipped(): number {
    return this.skippedFrames;
  }

  /** The frame index whose slot contains `atMs` (the one being sent now, or the next). */
  indexAt(atMs: number): number {
    return Math.max(0, Math.floor((atMs - this.startMs) / this.frameMs));
  }

  /** When frame `index` is due, in clock time. */
  timeOf(index: number): number {
    return this.startMs + index * this.frameMs;
  }

  /** Starts now with frame 0, sent synchronously. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.startMs = this.clock.now();
    this.next = 0;
    this.tick();
  }

  stop(): void {
    this.active = false;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const due = this.indexAt(this.clock.now());
    if (due - this.next >= this.maxCatchUpFrames) {
      const resumeAt = due - this.maxCatchUpFrames + 1;
      this.skippedFrames += resumeAt - this.next;
      this.next = resumeAt;
    }
    while (this.active && this.next <= due) this.onFrame(this.next++);
    if (!this.active) return;
    const delay = Math.max(0, this.timeOf(this.next) - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.tick(), delay);
  }
}
