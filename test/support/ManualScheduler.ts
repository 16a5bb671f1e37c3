import type { Scheduler } from '../../sip/index.js';

/** A Scheduler whose time moves only when told: `advance(ms)` runs the timers that come due, in order. */
export class ManualScheduler implements Scheduler {
  private now = 0;
  private readonly timers = new Set<{ at: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { at: this.now + ms, callback };
    this.timers.add(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as { at: number; callback: () => void });
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const next = [...this.timers].filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this.timers.delete(next);
      this.now = next.at;
      next.callback();
    }
    this.now = until;
  }
}
