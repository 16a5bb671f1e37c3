import type { SipRequest, SipResponse } from '../message/index.js';
import type { ClientTransaction, ClientTransactionUser, TransactionOptions } from './Transaction.js';
import { TimerSet } from './TransactionTimers.js';

export type NonInviteClientState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

/**
 * The non-INVITE client transaction of RFC 3261 §17.1.2 (Figure 6).
 *
 * ```
 *                        |Request from TU
 *                        |send request
 *    Timer E             V
 *    send request  +-----------+
 *        +---------|           |-------------------+
 *        |         |  Trying   |  Timer F          |
 *        +-------->|           |  or Transport Err.|
 *                  +-----------+  inform TU        |
 *     200-699         |  |                         |
 *     resp. to TU     |  |1xx                      |
 *     +---------------+  |resp. to TU              |
 *     |                  |                         |
 *     |   Timer E        V       Timer F           |
 *     |   send req +-----------+ or Transport Err. |
 *     |  +---------|           | inform TU         |
 *     |  |         |Proceeding |------------------>|
 *     |  +-------->|           |-----+             |
 *     |            +-----------+     |1xx          |
 *     |              |      ^        |resp to TU   |
 *     | 200-699      |      +--------+             |
 *     | resp. to TU  |                             |
 *     |              |                             |
 *     |              V                             |
 *     |            +-----------+                   |
 *     |            |           |                   |
 *     |            | Completed |                   |
 *     |            |           |                   |
 *     |            +-----------+                   |
 *     |              ^   |                         |
 *     |              |   | Timer K                 |
 *     +--------------+   | -                       |
 *                        |                         |
 *                        V                         |
 *  NOTE:           +-----------+                   |
 *                  |           |                   |
 *  transitions     | Terminated|<------------------+
 *  labeled with    |           |
 *  the event       +-----------+
 *  over the action
 *  to take
 * ```
 * Timer E (retransmit: T1, doubling up to T2 in Trying, T2 in Proceeding; unreliable transports
 * only), Timer F (64*T1), Timer K (T4 over UDP, 0 over TCP).
 */
export class NonInviteClientTransaction implements ClientTransaction {
  private current: NonInviteClientState = 'Trying';
  private readonly timers = new TimerSet<'E' | 'F' | 'K'>();

  constructor(
    readonly request: SipRequest,
    private readonly options: TransactionOptions,
    private readonly user: ClientTransactionUser,
  ) {}

  get state(): NonInviteClientState {
    return this.current;
  }

  start(): void {
    const { T1 } = this.options.timers;
    this.transmit();
    // RFC 3261 §17.1.2.2: Timer E only for unreliable transports; Timer F in both cases.
    if (!this.options.reliable) this.scheduleE(T1);
    this.timers.start('F', 64 * T1, () => {
      this.finish(() => this.user.timeout());
    });
  }

  receiveResponse(response: SipResponse): void {
    if (this.current !== 'Trying' && this.current !== 'Proceeding') return;
    if (response.status < 200) {
      this.current = 'Proceeding';
      this.user.provisional(response);
      return;
    }
    this.current = 'Completed';
    this.timers.stop('E', 'F');
    this.user.final(response);
    // Timer K absorbs retransmitted final responses; a reliable transport has none (§17.1.2.2).
    if (this.options.reliable) this.finish();
    else this.timers.start('K', this.options.timers.T4, () => this.finish());
  }

  terminate(): void {
    this.finish();
  }

  private scheduleE(interval: number): void {
    this.timers.start('E', interval, () => {
      if (this.current !== 'Trying' && this.current !== 'Proceeding') return;
      this.transmit();
      const { T2 } = this.options.timers;
      // RFC 3261 §17.1.2.2: doubling capped at T2 in Trying; every T2 once a provisional arrived.
      this.scheduleE(this.current === 'Proceeding' ? T2 : Math.min(2 * interval, T2));
    });
  }

  private transmit(): void {
    this.options.send(this.request).catch((error: unknown) => {
      if (this.current === 'Terminated' || this.current === 'Completed') return;
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
