import type { MediaClock } from './MediaClock.js';

/**
 * Calls `onFrame(n)` at start + n × frameMs, for n = 0, 1, 2, ...
 *
 * Each wake-up is scheduled from the start time, never from the previous wake-up, so timer lateness
 * does not accumulate: after an hour the n-th frame still goes out within one timer slip of
 * start + n × 20 ms. When the event loop stalls, the frames that fell due are sent at once to
 * catch up, at most `maxCatchUpFrames` of them; older ones are skipped (their indexes too, so that
 * RTP timestamps keep following real time).
 *
 * Every pacer on one clock shares one timer (see PacerSchedule): 200 calls are one wake-up per
 * due instant, not 200 timers, and their frames go out in the same order at every wake-up.
 */
export class FramePacer {
  private startMs = 0;
  private next = 0;
  private active = false;
  private skippedFrames = 0;
  private readonly schedule: PacerSchedule;

  constructor(
    private readonly clock: MediaClock,
    private readonly onFrame: (index: number) => void,
    readonly frameMs = 20,
    private readonly maxCatchUpFrames = 10,
  ) {
    this.schedule = PacerSchedule.of(clock);
  }

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

  /** When the next frame is due, in clock time. */
  get dueAt(): number {
    return this.startMs + this.next * this.frameMs;
  }

  /**
   * Starts with frame 0: now, sent synchronously, or, on a clock that spreads phases, up to one
   * frame later in the least-used millisecond of the period when other pacers run.
   */
  start(): void {
    if (this.active) return;
    this.active = true;
    const now = this.clock.now();
    this.startMs = now + this.schedule.phaseDelay(now, this.frameMs);
    this.next = 0;
    if (this.startMs - now <= (this.clock.resolutionMs ?? 0)) this.tick(now);
    if (this.active) this.schedule.add(this);
  }

  stop(): void {
    this.active = false;
    this.schedule.remove(this);
  }

  /** Sends every frame due by `atMs` (the schedule's wake-up time, its timer resolution included). */
  tick(atMs: number): void {
    const due = this.indexAt(atMs);
    if (due - this.next >= this.maxCatchUpFrames) {
      const resumeAt = due - this.maxCatchUpFrames + 1;
      this.skippedFrames += resumeAt - this.next;
      this.next = resumeAt;
    }
    while (this.active && this.next <= due) this.onFrame(this.next++);
  }
}

const schedules = new WeakMap<MediaClock, PacerSchedule>();

/**
 * The one timer of every running FramePacer on a clock: armed for the earliest frame due, it sends
 * each pacer's due frames in the order the pacers started, then arms for the next.
 *
 * Why not a timer per pacer: with 200 calls that is 10,000 timers a second, each an object in
 * Node's timer lists, and those due in the same millisecond fire in whatever order the lists hold
 * them, so a stream's packets move back and forth within the burst (jitter at the receiver).
 * Frames due within the clock's timer resolution of a wake-up go out with it: a Node timer may
 * fire up to a millisecond early, and waking again for the rest would cost a second timer.
 */
class PacerSchedule {
  private readonly pacers = new Set<FramePacer>();
  /** Pacers by the millisecond of the frame period they send in, per frame length (phase spreading). */
  private readonly phases = new Map<number, number[]>();
  private timer: unknown;
  private armedFor = Infinity;

  private constructor(private readonly clock: MediaClock) {}

  static of(clock: MediaClock): PacerSchedule {
    let schedule = schedules.get(clock);
    if (!schedule) schedules.set(clock, (schedule = new PacerSchedule(clock)));
    return schedule;
  }

  /**
   * How long a pacer starting at `now` should wait for its first frame: 0 unless the clock spreads
   * phases and other pacers run; then the wait, under one frame, to the millisecond of the period
   * that the fewest pacers send in (the nearest of those). 200 calls answered in step, as a load
   * generator places them, then send 10 packets a millisecond instead of 200 at once, which the
   * receiver would take in one burst and read as jitter.
   */
  phaseDelay(now: number, frameMs: number): number {
    const counts = this.phases.get(frameMs);
    if (!this.clock.spreadPhases || counts === undefined || this.pacers.size === 0) return 0;
    const phase = now % frameMs;
    let best = 0;
    let bestCount = Infinity;
    for (let step = 0; step < counts.length; step++) {
      const slot = (Math.floor(phase) + step) % counts.length;
      if (counts[slot]! < bestCount) [best, bestCount] = [step, counts[slot]!];
    }
    // A microsecond into the chosen millisecond, so that rounding cannot put the start in the one before.
    return best === 0 ? 0 : best - (phase % 1) + 0.001;
  }

  add(pacer: FramePacer): void {
    this.pacers.add(pacer);
    this.countPhase(pacer, 1);
    this.arm(pacer.dueAt);
  }

  remove(pacer: FramePacer): void {
    if (!this.pacers.delete(pacer)) return;
    this.countPhase(pacer, -1);
    if (this.pacers.size > 0) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private countPhase(pacer: FramePacer, by: 1 | -1): void {
    const { frameMs } = pacer;
    if (!Number.isInteger(frameMs) || frameMs <= 0) return;
    let counts = this.phases.get(frameMs);
    if (counts === undefined) this.phases.set(frameMs, (counts = new Array<number>(frameMs).fill(0)));
    const slot = Math.floor(pacer.timeOf(0) % frameMs);
    counts[slot] = counts[slot]! + by;
  }

  private arm(atMs: number): void {
    if (atMs >= this.armedFor) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.armedFor = atMs;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, atMs - this.clock.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const until = this.clock.now() + (this.clock.resolutionMs ?? 0);
    // One pass: each pacer sends what is due and says when it is due next. One stopped by another's
    // frame has left the set before its turn; one started there is visited too.
    let next = Infinity;
    for (const pacer of this.pacers) {
      if (pacer.dueAt <= until) pacer.tick(until);
      if (pacer.running && pacer.dueAt < next) next = pacer.dueAt;
    }
    if (next < Infinity) this.arm(next);
  }
}
