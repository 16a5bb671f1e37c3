/**
 * The time source of an RtpSession: pacing and the RTP timeout. Real by default; tests pass a fake,
 * and the emulator's clock (`emulator/core/clock.ts`) fits this shape too.
 */
export interface MediaClock {
  /** Milliseconds, monotonic (only differences matter). */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /**
   * How early a timer may fire, in ms: work due within this of a wake-up is done with it rather
   * than in a timer of its own. 0 (exact) when absent.
   */
  readonly resolutionMs?: number;
  /**
   * Whether a pacer starting beside others begins in the least-used millisecond of the frame period
   * (FramePacer), so that many streams do not all send in one burst every 20 ms. Off when absent.
   */
  readonly spreadPhases?: boolean;
}

/** `performance.now()` and the host's timers: monotonic, unaffected by wall-clock changes. */
export const realMediaClock: MediaClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  // Node's timers count whole milliseconds of the loop's cached time, so one may fire up to 1 ms early.
  resolutionMs: 1,
  spreadPhases: true,
};
