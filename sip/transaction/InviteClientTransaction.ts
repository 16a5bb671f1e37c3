import type { SipRequest, SipResponse } from '../message/index.js';
import { createAck } from './createAck.js';
import type { ClientTransaction, ClientTransactionUser, TransactionOptions } from './Transaction.js';
import { TimerSet } from './TransactionTimers.js';

export type InviteClientState = 'Calling' | 'Proceeding' | 'Completed' | 'Accepted' | 'Terminated';

/**
 * The INVITE client transaction of RFC 3261 §17.1.1, with the Accepted state of RFC 6026 §7.2.
 *
 * ```
 *                        |INVITE from TU
 *      Timer A fires     |INVITE sent            Timer B fires
 *      Reset A,          V                       or Transport Err.
 *      INVITE sent +-----------+                 inform TU
 *        +---------|           |--------------------------------+
 *        |         |  Calling  |                                |
 *        +-------->|           |---------------+                |
 *                  +-----------+ 2xx           |                |
 *   300-699           |     |    2xx to TU     |                |
 *   ACK sent          |     |1xx               |                |
 *   resp. to TU       |     |1xx to TU         |                |
 *   +-----------------+     V                  |                |
 *   |               +-----------+              |                |
 *   |    1xx        |           | 2xx          |                |
 *   |    1xx to TU  |Proceeding |-----------+  |                |
 *   |   +-----------|           | 2xx to TU |  |                |
 *   |   +---------->+-----------+           |  |                |
 *   |   300-699          |                  V  V                |
 *   |   ACK sent,        |              +-----------+  2xx      |
 *   |   resp. to TU      |              |           |  2xx to TU|
 *   +------------------+ |              | Accepted  |<----+     |
 *                      V V              |           |-----+     |
 *   300-699       +-----------+         +-----------+           |
 *   ACK sent      |           |               |Timer M fires    |
 *   +-------------| Completed |               |                 |
 *   +------------>|           |               |                 |
 *                 +-----------+               |                 |
 *                       |Timer D fires        |                 |
 *                       |                     |                 |
 *                       V                     V                 |
 *                 +-------------------------------+             |
 *                 |          Terminated           |<------------+
 *                 +-------------------------------+
 * ```
 * Timer A (retransmit, T1 doubling each time, unreliable transports only), Timer B (64*T1),
 * Timer D (≥32 s over UDP, 0 over TCP), Timer M (64*T1). Timer C belongs to proxies and is not
 * implemented: a proxy core that wants it cancels the branch itself.
 */
export class InviteClientTransaction implements ClientTransaction {
  private current: InviteClientState = 'Calling';
  private readonly timers = new TimerSet<'A' | 'B' | 'D' | 'M'>();
  private ack: SipRequest | undefined;

  constructor(
    readonly request: SipRequest,
    private readonly options: TransactionOptions,
    private readonly user: ClientTransactionUser,
  ) {}

  get state(): InviteClientState {
    return this.current;
  }

  start(): void {
    const { T1 } = this.options.timers;
    this.transmit(this.request);
    // RFC 3261 §17.1.1.2: Timer A only for unreliable transports; Timer B in both cases.
    if (!this.options.reliable) this.scheduleA(T1);
    this.timers.start('B', 64 * T1, () => {
      if (this.current !== 'Calling') return;
      this.finish(() => this.user.timeout());
    });
  }

  receiveResponse(response: SipResponse): void {
    const { status } = response;
    switch (this.current) {
      case 'Calling':
      case 'Proceeding':
        if (status < 200) {
          this.current = 'Proceeding';
          this.timers.stop('A', 'B');
          this.user.provisional(response);
        } else if (status < 300) {
          // RFC 6026 §7.2: stay to hand 2xx retransmissions (and forked 2xx) to the TU, which ACKs them.
          this.current = 'Accepted';
          this.timers.stop('A', 'B');
          this.timers.start('M', 64 * this.options.timers.T1, () => this.finish());
          this.user.final(response);
        } else {
          this.current = 'Completed';
          this.timers.stop('A', 'B');
          // RFC 3261 §17.1.1.3: the transaction itself ACKs a non-2xx final response.
          this.ack = createAck(this.request, response);
          this.transmit(this.ack);
          this.user.final(response);
          this.startTimerD();
        }
        return;
      case 'Completed':
        // A retransmitted final response means our ACK was lost (§17.1.1.2).
        if (status >= 300 && this.ack) this.transmit(this.ack);
        return;
      case 'Accepted':
        if (status >= 200 && status < 300) this.user.retransmitted2xx(response);
        return;
      case 'Terminated':
        return;
    }
  }

  terminate(): void {
    this.finish();
  }

  private scheduleA(interval: number): void {
    this.timers.start('A', interval, () => {
      if (this.current !== 'Calling') return;
      this.transmit(this.request);
      // Timer A is not capped at T2 (only E and G are): 0.5, 1, 2, 4, 8, 16 s.
      this.scheduleA(interval * 2);
    });
  }

  private startTimerD(): void {
    if (this.options.reliable) this.finish();
    else this.timers.start('D', this.options.timers.D, () => this.finish());
  }

  private transmit(message: SipRequest): void {
    this.options.send(message).catch((error: unknown) => {
      if (this.current === 'Terminated') return;
      // RFC 3261 §17.1.4: a transport failure ends the transaction and is reported to the TU.
      this.finish(() => this.user.transportError(error instanceof Error ? error : new Error(String(error))));
    });
  }

  /** Enters Terminated; `notify` tells the user why before `terminated` is called. */
  private finish(notify?: () => void): void {
    if (this.current === 'Terminated') return;
    this.current = 'Terminated';
    this.timers.stopAll();
    notify?.();
    this.user.terminated();
  }
}
