/**
 * The time source of an RtpSession: pacing and the RTP timeout. Real by default; tests pass a fake,
 * and the emulator's clock (`emulator/core/clock.ts`) fits this shape too.
 */
export interface MediaClock {
  /** Milliseconds, monotonic (only differences matter). */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** `performance.now()` and the host's timers: monotonic, unaffected by wall-clock changes. */
export const realMediaClock: MediaClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
