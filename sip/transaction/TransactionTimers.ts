/**
 * The RFC 3261 §17 base timer values (Table 4), in milliseconds. Every transaction timer is derived
 * from these, so tests shorten them here rather than patching individual timers.
 */
export interface TransactionTimers {
  /** RTT estimate, 500 ms. */
  T1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, 4 s. */
  T2: number;
  /** Maximum duration a message will remain in the network, 5 s. */
  T4: number;
  /** Timer D, the wait for response retransmissions after an INVITE failure over UDP: at least 32 s (§17.1.1.2). Default 64*T1. */
  D: number;
}

export const DEFAULT_T1 = 500;
export const DEFAULT_T2 = 4000;
export const DEFAULT_T4 = 5000;

/** Fills in RFC defaults; checked once, when a stack is built. */
export function resolveTimers(partial: Partial<TransactionTimers> = {}): TransactionTimers {
  const T1 = partial.T1 ?? DEFAULT_T1;
  const timers = { T1, T2: partial.T2 ?? DEFAULT_T2, T4: partial.T4 ?? DEFAULT_T4, D: partial.D ?? 64 * T1 };
  for (const [name, value] of Object.entries(timers)) {
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`SIP timers: ${name} must be a positive number of milliseconds, got ${value}`);
  }
  return timers;
}

/**
 * Named one-shot timers of one transaction, so that a state change can stop exactly the timers
 * the RFC says it stops, and termination can stop them all.
 */
export class TimerSet<Name extends string> {
  private readonly handles = new Map<Name, ReturnType<typeof setTimeout>>();

  start(name: Name, delay: number, fire: () => void): void {
    this.stop(name);
    this.handles.set(
      name,
      setTimeout(() => {
        this.handles.delete(name);
        fire();
      }, delay),
    );
  }

  stop(...names: Name[]): void {
    for (const name of names) {
      const handle = this.handles.get(name);
      if (handle !== undefined) clearTimeout(handle);
      this.handles.delete(name);
    }
  }

  stopAll(): void {
    for (const handle of this.handles.values()) clearTimeout(handle);
    this.handles.clear();
  }

  isRunning(name: Name): boolean {
    return this.handles.has(name);
  }
}
