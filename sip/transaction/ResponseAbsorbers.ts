/** Re-sends one absorbed response's bytes to where it went; a rejection is reported, not thrown. */
export type Resend<To> = (data: Buffer, to: To) => Promise<void>;

interface Absorber<To> {
  bytes: Buffer;
  to: To;
  /** When the absorber goes, on `performance.now()`'s scale (Timer J's end). */
  until: number;
}

/**
 * What is left of completed non-INVITE server transactions over UDP while Timer J runs (RFC 3261
 * §17.2.2: 64*T1, 32 s): the key, the final response's bytes, where to send them again, and the
 * deadline. A busy registrar completes thousands of transactions a second; keeping each request,
 * transaction object and timer for 32 s held hundreds of megabytes, where this keeps the response's
 * few hundred bytes. Timer J has one length, so deadlines come in insertion order: one timer sweeps
 * the oldest. The destination is plain data and the one `resend` belongs to the stack: a closure
 * made with the transaction would keep its whole scope (request, transaction) alive for 32 s.
 *
 * @example
 * const absorbers = new ResponseAbsorbers<Endpoint>((data, to) => transport.send(data, to), (m) => console.warn(m));
 * absorbers.add(key, bytes, destination, 32_000);
 * if (absorbers.absorb(key)) return; // a retransmission of a request we already answered
 */
export class ResponseAbsorbers<To> {
  private readonly byKey = new Map<string, Absorber<To>>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly resend: Resend<To>,
    private readonly warn: (message: string) => void,
  ) {}

  get size(): number {
    return this.byKey.size;
  }

  /** Keeps `bytes` for `forMs`, re-sent by `absorb` for every retransmission of the request. */
  add(key: string, bytes: Buffer, to: To, forMs: number): void {
    this.byKey.delete(key);
    this.byKey.set(key, { bytes, to, until: performance.now() + forMs });
    this.schedule();
  }

  /** A retransmission of an answered request: sends the response again. False when none is kept. */
  absorb(key: string): boolean {
    const absorber = this.byKey.get(key);
    if (!absorber) return false;
    this.resend(absorber.bytes, absorber.to).catch((error: unknown) => this.warn(`SIP transaction: could not resend a final response: ${error instanceof Error ? error.message : String(error)}`));
    return true;
  }

  clear(): void {
    this.byKey.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const oldest = this.byKey.values().next().value;
    if (!oldest) return;
    this.timer = setTimeout(() => this.sweep(), Math.max(0, oldest.until - performance.now()));
    this.timer.unref?.();
  }

  private sweep(): void {
    this.timer = undefined;
    const now = performance.now();
    for (const [key, absorber] of this.byKey) {
      if (absorber.until > now) break;
      this.byKey.delete(key);
    }
    this.schedule();
  }
}
