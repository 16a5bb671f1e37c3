import type { SipRequest, SipResponse } from '../message/index.js';
import type { RespondOptions, ServerTransaction, ServerTransactionUser, TransactionOptions } from './Transaction.js';
import { TimerSet } from './TransactionTimers.js';

export type NonInviteServerState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

/**
 * The non-INVITE server transaction of RFC 3261 §17.2.2 (Figure 8).
 *
 * ```
 *                           |Request received
 *                           |pass to TU
 *                           V
 *                     +-----------+
 *                     |           |
 *                     | Trying    |-------------+
 *                     |           |             |
 *                     +-----------+             |200-699 from TU
 *                           |                   |send response
 *                           |1xx from TU        |
 *                           |send response      |
 *                           |                   |
 *        Request            V      1xx from TU  |
 *        send response+-----------+send response|
 *            +--------|           |--------+    |
 *            |        | Proceeding|        |    |
 *            +------->|           |<-------+    |
 *     +<--------------|           |             |
 *     |Trnsprt Err    +-----------+             |
 *     |Inform TU            |                   |
 *     |                     |                   |
 *     |                     |200-699 from TU    |
 *     |                     |send response      |
 *     |  Request            V                   |
 *     |  send response+-----------+             |
 *     |      +--------|           |             |
 *     |      |        | Completed |<------------+
 *     |      +------->|           |
 *     +<--------------|           |
 *     |Trnsprt Err    +-----------+
 *     |Inform TU            |
 *     |                     |Timer J fires
 *     |                     |-
 *     |                     |
 *     |                     V
 *     |               +-----------+
 *     |               |           |
 *     +-------------->| Terminated|
 *                     |           |
 *                     +-----------+
 * ```
 * Retransmitted requests are absorbed: silently in Trying, answered with the latest response
 * after that. Timer J: 64*T1 over UDP, 0 over TCP.
 */
export class NonInviteServerTransaction implements ServerTransaction {
  private current: NonInviteServerState = 'Trying';
  private readonly timers = new TimerSet<'J'>();
  private lastResponse: SipResponse | undefined;
  /** The final response as sent, kept instead of `lastResponse` when the options allow (see TransactionOptions.serialize). */
  private lastBytes: Buffer | undefined;

  constructor(
    readonly request: SipRequest,
    private readonly options: TransactionOptions,
    private readonly user: ServerTransactionUser,
  ) {}

  get state(): NonInviteServerState {
    return this.current;
  }

  start(): void {
    // Nothing is sent until the TU answers: RFC 3261 §17.2.2 has no 100 Trying timer for non-INVITE.
  }

  respond(response: SipResponse, options?: RespondOptions): void {
    if (this.current !== 'Trying' && this.current !== 'Proceeding') {
      this.user.warning(`SIP transaction: not sending ${response.status} for ${this.request.method} ${this.request.uri}: a final response was already sent (state ${this.current})`);
      return;
    }
    if (response.status < 200) {
      this.lastResponse = response;
      this.transmit(response);
      this.current = 'Proceeding';
      return;
    }
    if (options?.stateless) {
      // Sent once, nothing kept (§26.3.2.4): no Completed state, no Timer J.
      this.transmit(response);
      return this.finish();
    }
    const { serialize, sendBytes, absorb } = this.options;
    if (!this.options.reliable && serialize && sendBytes) {
      this.lastResponse = undefined;
      this.lastBytes = serialize(response);
      this.transmitBytes(this.lastBytes, response);
      if (absorb) {
        // Completed, with Timer J's absorbing handed to the stack's absorbers: the stack forgets this
        // object (its request, its timer); a holder of it still reads Completed.
        this.current = 'Completed';
        absorb(this.lastBytes, 64 * this.options.timers.T1);
        this.lastBytes = undefined;
        return this.user.terminated();
      }
    } else {
      this.lastResponse = response;
      this.transmit(response);
    }
    this.current = 'Completed';
    // Timer J absorbs request retransmissions; there are none over a reliable transport (§17.2.2).
    if (this.options.reliable) this.finish();
    else this.timers.start('J', 64 * this.options.timers.T1, () => this.finish());
  }

  /** A retransmission of the request: never passed to the TU (§17.2.2). */
  receiveRequest(_request: SipRequest): void {
    if (this.current === 'Terminated') return;
    if (this.lastBytes) this.transmitBytes(this.lastBytes);
    else if (this.lastResponse) this.transmit(this.lastResponse);
  }

  /** CANCEL has no effect on a non-INVITE request (RFC 3261 §9.2), so the handler never runs. */
  onCancel(_handler: () => void): void {}

  terminate(): void {
    this.finish();
  }

  private transmit(response: SipResponse): void {
    this.options.send(response).catch((error: unknown) => {
      // RFC 3261 §17.2.4: report to the TU; the transaction keeps absorbing retransmissions.
      this.user.warning(`SIP transaction: could not send ${response.status} for ${this.request.method}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private transmitBytes(data: Buffer, response?: SipResponse): void {
    this.options.sendBytes!(data, response).catch((error: unknown) => {
      this.user.warning(`SIP transaction: could not send ${response?.status ?? 'the final response'} for ${this.request.method}: ${error instanceof Error ? error.message : String(error)}`);
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
