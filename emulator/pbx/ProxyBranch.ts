import { createCancel, type RequestResult, type ServerTransaction, type SipRequest, type SipResponse, type SipStack } from '../../sip/index.js';
import type { Logger } from '../core/logger.js';
import type { NextHop } from './nextHop.js';
import { pbxResponse } from './pbxResponse.js';

export interface ProxyBranchOptions {
  stack: SipStack;
  logger: Logger;
  /** RFC 3261 T1, for the wait on a final response after our CANCEL (64*T1). */
  T1: number;
  /** Timer C (§16.6 step 11): how long an INVITE may ring without a final response; at least 3 minutes. */
  timerC: number;
  /** For log lines: `INVITE sip:200@... from UDP 127.0.0.1:5070`. */
  label: string;
  /** Called once the branch is over, so the proxy forgets it. */
  done: () => void;
  /** The body of a response as relayed upstream (a quirk may rewrite its SDP). Default unchanged. */
  relayedBody?: (response: SipResponse) => Buffer;
}

/**
 * One forwarded request of the stateful proxy (RFC 3261 §16.6-§16.10): the server transaction
 * toward the caller, the client transaction toward the next hop, and what ties them: 100 Trying,
 * relayed responses (our Via removed), CANCEL, and Timer C. Forwarding to a single target, so no
 * response context has to pick among forks.
 */
export class ProxyBranch {
  private provisional = false;
  private cancelled = false;
  private sentCancel = false;
  private answered = false;
  private finished = false;
  private timerC: ReturnType<typeof setTimeout> | undefined;
  private cancelWait: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly serverTx: ServerTransaction,
    /** The request as forwarded; SipStack.request puts our Via on it, which its CANCEL needs. */
    private readonly request: SipRequest,
    private readonly hop: NextHop,
    private readonly options: ProxyBranchOptions,
  ) {}

  start(): void {
    const invite = this.request.method === 'INVITE';
    if (invite) {
      // §16.2: a stateful proxy answers an INVITE with 100 at once, so the caller stops retransmitting.
      this.serverTx.respond(pbxResponse(this.options.stack.random, this.serverTx.request, 100));
      this.serverTx.onCancel(() => this.cancel());
      this.restartTimerC();
    }
    const handlers = {
      onProvisional: (response: SipResponse) => this.onProvisional(response),
      onRetransmitted2xx: (response: SipResponse) => this.relay(response),
      ...(this.hop.flowId !== undefined && { flowId: this.hop.flowId }),
    };
    void this.options.stack.request(this.request, this.hop.destination, handlers).then((result) => this.onFinal(result));
  }

  /** Stops the branch's timers (the stack terminates its transactions when it closes); nothing is answered after this. */
  stop(): void {
    this.answered = true;
    clearTimeout(this.timerC);
    clearTimeout(this.cancelWait);
    if (!this.finished) {
      this.finished = true;
      this.options.done();
    }
  }

  private onProvisional(response: SipResponse): void {
    this.provisional = true;
    if (this.request.method === 'INVITE') this.restartTimerC();
    // §16.7 step 3: a 100 is never forwarded; our own was sent already.
    if (response.status > 100 && !this.answered) this.relay(response);
    if (this.cancelled) this.sendCancel();
  }

  private onFinal(result: RequestResult): void {
    if (result.ok) {
      const response = result.response;
      // §16.7 step 6: a 503 from downstream is not passed upstream: only our own overload would justify it.
      if (response.status === 503) this.answer(500, `${response.status} from the next hop`);
      else this.answer(response);
    } else if (result.reason === 'timeout') {
      this.answer(408, 'no final response from the next hop (Timer B/F)');
    } else {
      // §16.9: a transport error counts as a 503 from that hop, which §16.7 turns into 500.
      this.answer(500, `could not reach the next hop: ${result.error?.message ?? 'transport error'}`);
    }
    this.stop();
  }

  /** §16.10: the caller's CANCEL (already answered 200 by the stack) cancels our branch; the 487 flows back. */
  private cancel(): void {
    if (this.cancelled || this.answered) return;
    this.cancelled = true;
    // §9.1: a CANCEL MUST NOT be sent before a provisional response; onProvisional sends it then.
    if (this.provisional) this.sendCancel();
    // If the callee never answers our CANCEL, the caller still gets its 487.
    this.cancelWait = setTimeout(() => this.answer(487, 'no final response within 64*T1 after CANCEL'), 64 * this.options.T1);
  }

  private sendCancel(): void {
    if (!this.cancelled || this.sentCancel) return;
    this.sentCancel = true;
    const handlers = this.hop.flowId !== undefined ? { flowId: this.hop.flowId } : {};
    void this.options.stack.request(createCancel(this.request), this.hop.destination, handlers);
  }

  /** §16.8: Timer C fires: CANCEL a ringing branch, or answer 408 for one that never rang. */
  private restartTimerC(): void {
    clearTimeout(this.timerC);
    this.timerC = setTimeout(() => {
      if (this.answered) return;
      if (this.provisional) {
        this.options.logger.info(`${this.options.label}: Timer C fired after ${this.options.timerC} ms without a final response; cancelling the branch`);
        this.cancelled = true;
        this.sendCancel();
        this.cancelWait = setTimeout(() => this.answer(408, 'Timer C fired and the CANCEL got no final response'), 64 * this.options.T1);
      } else {
        this.answer(408, 'Timer C fired before any provisional response');
      }
    }, this.options.timerC);
  }

  private answer(response: SipResponse): void;
  private answer(status: number, why: string): void;
  private answer(what: SipResponse | number, why?: string): void {
    if (this.answered) return;
    this.answered = true;
    clearTimeout(this.timerC);
    clearTimeout(this.cancelWait);
    if (typeof what === 'number') {
      this.options.logger.info(`${this.options.label} → ${what}: ${why ?? ''}`);
      this.serverTx.respond(pbxResponse(this.options.stack.random, this.serverTx.request, what));
      return;
    }
    this.relay(what);
  }

  /** §16.7 step 3: the response goes upstream without our Via. */
  private relay(response: SipResponse): void {
    const headers = response.headers.clone();
    headers.removeFirst('Via');
    const body = this.options.relayedBody?.(response) ?? response.body;
    this.serverTx.respond({ type: 'response', status: response.status, reason: response.reason, headers, body });
  }
}
