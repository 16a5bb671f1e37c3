import { createResponse, type SipRequest, type SipResponse } from '../message/index.js';
import type { ServerTransaction, ServerTransactionUser, TransactionOptions } from './Transaction.js';
import { TimerSet } from './TransactionTimers.js';

export type InviteServerState = 'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted' | 'Terminated';

/** RFC 3261 §17.2.1: send 100 Trying unless the TU answers within 200 ms. */
export const TRYING_DELAY = 200;

/**
 * The INVITE server transaction of RFC 3261 §17.2.1, with the Accepted state of RFC 6026 §7.1.
 *
 * ```
 *                             |INVITE
 *                             |pass INV to TU
 *          INVITE             V send 100 if TU won't in 200 ms
 *          send response+-----------+
 *              +--------|           |--------+ 101-199 from TU
 *              |        |           |        | send response
 *              +------->|           |<-------+
 *                       | Proceeding|
 *                       |           |--------+ Transport Err.
 *                       |           |        | Inform TU
 *                       |           |<-------+
 *                       +-----------+
 *          300-699 from TU |     |2xx from TU
 *          send response   |     |send response
 *           +--------------+     +------------+
 *           |                                 |
 *  INVITE   V          Timer G fires          |
 *  send  +-----------+ send response          |
 *  resp. |           |--------+               |
 *   +----|           |        |               |
 *   |    | Completed |<-------+   INVITE      |  Transport Err.
 *   +--->|           |            -           |  Inform TU
 *        |           |---------+  +--------+  |  +--------+
 *        +-----------+ Timer H |  |        V  V  |        V
 *          ACK |       fires / |  |      +-----------+     |
 *           -  |     inform TU |  +------|           |-----+
 *              V               |         | Accepted  |
 *        +-----------+         |         |           |<----+ 2xx from TU
 *        |           |         |         |           |-----+ send response
 *        | Confirmed |         |         +-----------+
 *        |           |         |               |
 *        +-----------+         |               | Timer L fires
 *     ACK  |  Timer I          |               | -
 *      -   |  fires            |               |
 *          V  -                V               V
 *        +-----------------------------------------+
 *        |                Terminated               |
 *        +-----------------------------------------+
 * ```
 * Timer G (retransmit the final response: T1 doubling, capped at T2; unreliable transports only),
 * Timer H (64*T1, wait for ACK), Timer I (T4 over UDP, 0 over TCP), Timer L (64*T1). An ACK for a
 * 2xx arriving in Accepted is not absorbed: the stack passes it to the TU (RFC 6026 §7.1).
 */
export class InviteServerTransaction implements ServerTransaction {
  private current: InviteServerState = 'Proceeding';
  private readonly timers = new TimerSet<'Trying' | 'G' | 'H' | 'I' | 'L'>();
  private readonly cancelHandlers: Array<() => void> = [];
  private latest: SipResponse | undefined;

  constructor(
    readonly request: SipRequest,
    private readonly options: TransactionOptions,
    private readonly user: ServerTransactionUser,
  ) {}

  get state(): InviteServerState {
    return this.current;
  }

  /** The latest response sent, e.g. to copy its To tag into the 200 for a CANCEL (§9.2). */
  get lastResponse(): SipResponse | undefined {
    return this.latest;
  }

  start(): void {
    this.timers.start('Trying', TRYING_DELAY, () => {
      if (this.current === 'Proceeding' && this.latest === undefined) this.transmit(createResponse(this.request, 100));
    });
  }

  respond(response: SipResponse): void {
    if (this.current === 'Accepted' && response.status >= 200 && response.status < 300) {
      // RFC 6026 §7.1: the TU retransmits its 2xx through the Accepted transaction.
      this.transmit(response);
      return;
    }
    if (this.current !== 'Proceeding') {
      this.user.warning(`SIP transaction: not sending ${response.status} for INVITE ${this.request.uri}: a final response was already sent (state ${this.current})`);
      return;
    }
    this.timers.stop('Trying');
    this.latest = response;
    this.transmit(response);
    if (response.status < 200) return;
    // A CANCEL has no effect from now on (§9.2): its handlers, which hold the TU's call, go now
    // rather than with the transaction (32 s later for a 2xx, Timer L).
    this.cancelHandlers.length = 0;
    const { T1, T2 } = this.options.timers;
    if (response.status < 300) {
      this.current = 'Accepted';
      this.timers.start('L', 64 * T1, () => this.finish());
      return;
    }
    this.current = 'Completed';
    if (!this.options.reliable) this.scheduleG(T1, T2);
    this.timers.start('H', 64 * T1, () => {
      this.user.warning(`SIP transaction: no ACK for ${response.status} to INVITE ${this.request.uri} within Timer H (${64 * T1} ms)`);
      this.finish();
    });
  }

  /** A retransmission of the INVITE (§17.2.1): answered with the latest response, never passed to the TU. */
  receiveRequest(_request: SipRequest): void {
    if (this.current === 'Proceeding') {
      // The client has not heard from us yet: an immediate 100 stops its Timer A retransmissions.
      const response = this.latest ?? createResponse(this.request, 100);
      this.latest = response;
      this.timers.stop('Trying');
      this.transmit(response);
    } else if (this.current === 'Completed' && this.latest) {
      this.transmit(this.latest);
    }
  }

  /** Returns true when the ACK was absorbed here (an ACK for our non-2xx), false when the TU must see it. */
  receiveAck(_ack: SipRequest): boolean {
    if (this.current === 'Completed') {
      this.current = 'Confirmed';
      this.timers.stop('G', 'H');
      // Timer I absorbs further ACK retransmissions; none arrive over a reliable transport (§17.2.1).
      if (this.options.reliable) this.finish();
      else this.timers.start('I', this.options.timers.T4, () => this.finish());
      return true;
    }
    return this.current === 'Confirmed' || this.current === 'Terminated';
  }

  onCancel(handler: () => void): void {
    this.cancelHandlers.push(handler);
  }

  /** A CANCEL matched this INVITE (§9.2). Returns false when a final response was already sent, so the CANCEL has no effect. */
  cancel(): boolean {
    if (this.current !== 'Proceeding') return false;
    for (const handler of [...this.cancelHandlers]) handler();
    return true;
  }

  terminate(): void {
    this.finish();
  }

  private scheduleG(interval: number, cap: number): void {
    this.timers.start('G', interval, () => {
      if (this.current !== 'Completed' || !this.latest) return;
      this.transmit(this.latest);
      this.scheduleG(Math.min(2 * interval, cap), cap);
    });
  }

  private transmit(response: SipResponse): void {
    this.options.send(response).catch((error: unknown) => {
      // RFC 3261 §17.2.4: report to the TU; the transaction keeps absorbing retransmissions.
      this.user.warning(`SIP transaction: could not send ${response.status} for INVITE: ${error instanceof Error ? error.message : String(error)}`);
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
