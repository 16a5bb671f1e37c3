/**
 * Where a user agent's own timers (registration refresh, retry backoff) run. The emulator passes
 * its clock, so virtual time can jump over a one-hour refresh; a softphone passes real timers.
 * Protocol retransmission timers are not scheduled here: they stay in the transaction layer, real.
 */
export interface Scheduler {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
