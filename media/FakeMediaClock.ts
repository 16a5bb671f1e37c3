import type { MediaClock } from './MediaClock.js';

interface FakeTimer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A MediaClock for tests: time moves only through `advance(ms)`, which runs due timers in order.
 * `lateness` delays every timer by a fixed amount to imitate a busy event loop.
 */
export class FakeMediaClock implements MediaClock {
  private current = 0;
  private nextId = 1;
  private timers: FakeTimer[] = [];

  constructor(private readonly lateness = 0) {}

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.current + Math.max(0, ms) + this.lateness, callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.callback();
    }
    this.current = end;
  }

  /** Jumps without running timers, as a stalled event loop would. */
  stall(ms: number): void {
    this.current += ms;
  }

  get pending(): number {
    return this.timers.length;
  }
}
