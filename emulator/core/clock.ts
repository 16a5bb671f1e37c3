/**
 * The emulator's one clock. Every emulator timer (provisioning delay, registration refresh and
 * retry, restart after a crash, call timeouts) reads it; SIP retransmission timers do not
 * (they stay real, see DESIGN.md).
 *
 * - `real`: wall-clock time and real timers.
 * - `virtual`: time moves only when told (`advance(ms)`, `advanceToNextTimer()`), so a test can
 *   jump over a 30 s provisioning delay or a 3600 s registration refresh instantly.
 */
export type ClockMode = 'real' | 'virtual';

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  readonly mode: ClockMode;
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  /** Pending timers, for the control API. */
  pendingTimers(): { count: number; nextAt: number | null };
}

export class RealClock implements Clock {
  readonly mode = 'real' as const;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; timeout: NodeJS.Timeout }>();

  now(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const timeout = setTimeout(() => {
      this.timers.delete(id);
      callback();
    }, Math.max(0, ms));
    // An emulator timer must never keep a CLI or a test process alive on its own.
    timeout.unref();
    this.timers.set(id, { at: Date.now() + ms, timeout });
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const timer = this.timers.get(handle.id);
    if (timer) clearTimeout(timer.timeout);
    this.timers.delete(handle.id);
  }

  pendingTimers(): { count: number; nextAt: number | null } {
    let nextAt: number | null = null;
    for (const t of this.timers.values()) if (nextAt === null || t.at < nextAt) nextAt = t.at;
    return { count: this.timers.size, nextAt };
  }
}

interface VirtualTimer {
  id: number;
  at: number;
  seq: number;
  callback: () => void;
}

export class VirtualClock implements Clock {
  readonly mode = 'virtual' as const;
  private current: number;
  private readonly start: number;
  private nextId = 1;
  private seq = 0;
  private timers: VirtualTimer[] = [];

  constructor(start: number = Date.now()) {
    this.start = start;
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: VirtualTimer = { id: this.nextId++, at: this.current + Math.max(0, ms), seq: this.seq++, callback };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.timers = this.timers.filter((t) => t.id !== handle.id);
  }

  pendingTimers(): { count: number; nextAt: number | null } {
    const next = this.peek();
    return { count: this.timers.length, nextAt: next ? next.at : null };
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, in order. Timers
   * scheduled by callbacks fire too when they fall inside the window.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance(ms) needs ms >= 0, got ${ms}`);
    const target = this.current + ms;
    for (let timer = this.peek(); timer && timer.at <= target; timer = this.peek()) {
      this.fire(timer);
    }
    this.current = target;
  }

  /** Jumps to the next pending timer and fires it (and any due at the same instant). Returns false when idle. */
  advanceToNextTimer(): boolean {
    const next = this.peek();
    if (!next) return false;
    const at = next.at;
    for (let timer = this.peek(); timer && timer.at <= at; timer = this.peek()) this.fire(timer);
    this.current = Math.max(this.current, at);
    return true;
  }

  /** Back to the start time with no timers (for `POST /_emulator/reset`). */
  reset(): void {
    this.timers = [];
    this.current = this.start;
  }

  private peek(): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const t of this.timers) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  private fire(timer: VirtualTimer): void {
    this.timers = this.timers.filter((t) => t !== timer);
    this.current = Math.max(this.current, timer.at);
    timer.callback();
  }
}

/**
 * Wall-clock time with sub-millisecond resolution (Date.now() is whole milliseconds): for the
 * journal's `wall` stamps and pcap timestamps, where deltas and jitter need microseconds.
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export function createClock(mode: ClockMode, start?: number): Clock {
  return mode === 'virtual' ? new VirtualClock(start) : new RealClock();
}
