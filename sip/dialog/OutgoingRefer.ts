import { EventEmitter } from 'node:events';
import type { TransactionTimers } from '../transaction/index.js';
import type { DialogRequestResult } from './Dialog.js';
import type { IncomingRequest } from './IncomingRequest.js';
import { parseSipfrag, type SipfragStatus } from './sipfrag.js';

/** How a transfer request ended, from the referrer's side. */
export interface ReferOutcome {
  /** The last status the transferee reported (200 when the transfer target answered), or the REFER's own failure status. */
  status: number | undefined;
  statusLine: string | undefined;
  /**
   * `notified`: a NOTIFY said Subscription-State terminated; `rejected`: the REFER got a final
   * non-2xx or no answer; `no-notify`: no NOTIFY within 64*T1 of the 202 (RFC 6665 §4.1.2.4);
   * `expired`: the subscription ran past its expires; `dialog-terminated`: the dialog ended first.
   */
  ended: 'notified' | 'rejected' | 'no-notify' | 'expired' | 'dialog-terminated';
}

interface OutgoingReferEvents {
  /** One per NOTIFY with a sipfrag status line, in arrival order. */
  progress: [SipfragStatus];
  done: [ReferOutcome];
}

/**
 * The referrer's side of one REFER (RFC 3515): the REFER transaction, then the implicit `refer`
 * subscription whose NOTIFYs report the transferee's call to the target as sipfrag status lines.
 * Built by `dialog.refer(...)`; every NOTIFY is answered 200 by the dialog.
 *
 * @example
 * const transfer = dialog.refer('sip:200@pbx.local');
 * transfer.on('progress', (frag) => console.log(frag.statusLine)); // SIP/2.0 100 Trying, SIP/2.0 200 OK
 * const { status } = await transfer.outcome;
 * if (status === 200) await dialog.bye();
 */
export class OutgoingRefer extends EventEmitter<OutgoingReferEvents> {
  /** The REFER's final response (202 Accepted when the peer takes the transfer on), or its failure. */
  readonly accepted: Promise<DialogRequestResult>;
  /** Resolves once, when the subscription is over; also emitted as `done`. */
  readonly outcome: Promise<ReferOutcome>;
  /** The REFER's CSeq number: the `id` of its NOTIFYs' Event header (RFC 3515 §2.4.6). */
  seq: number | undefined;
  private last: SipfragStatus | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private finished = false;
  private resolveOutcome!: (outcome: ReferOutcome) => void;

  /** @internal `send` sends the REFER and calls `built` with each REFER it builds. */
  constructor(
    private readonly timers: Pick<TransactionTimers, 'T1'>,
    send: (built: (seq: number) => void) => Promise<DialogRequestResult>,
    private readonly forget: (refer: OutgoingRefer) => void,
  ) {
    super();
    this.outcome = new Promise((resolve) => (this.resolveOutcome = resolve));
    this.accepted = send((seq) => (this.seq = seq)).then((result) => {
      this.onAnswer(result);
      return result;
    });
  }

  /** @internal Whether a NOTIFY with this Event `id` (or none) belongs to this subscription. */
  matches(id: string | undefined): boolean {
    return !this.finished && (id === undefined || id === String(this.seq));
  }

  /** @internal A NOTIFY for this subscription: answered 200, then reported. */
  receiveNotify(incoming: IncomingRequest): void {
    incoming.respond(200);
    const frag = parseSipfrag(incoming.request.body);
    if (frag !== undefined) {
      this.last = frag;
      this.emit('progress', frag);
    }
    const state = incoming.request.headers.get('Subscription-State') ?? '';
    const [value = '', ...params] = state.split(';').map((part) => part.trim());
    if (value.toLowerCase() === 'terminated') return this.finish('notified');
    const expires = params.map((p) => /^expires\s*=\s*(\d+)$/i.exec(p)?.[1]).find((v) => v !== undefined);
    if (expires !== undefined) this.arm(Number(expires) * 1000, 'expired');
    else if (this.timer === undefined) this.arm(64 * this.timers.T1, 'no-notify');
  }

  /** @internal */
  dialogTerminated(): void {
    this.finish('dialog-terminated');
  }

  private onAnswer(result: DialogRequestResult): void {
    if (this.finished) return;
    if (!result.ok) {
      if (result.reason === 'terminated') return this.finish('dialog-terminated');
      // No answer counts as 408 (RFC 3261 §8.1.3.1); an unreachable peer as 503.
      this.last = result.reason === 'timeout' ? frag(408, 'Request Timeout') : frag(503, 'Service Unavailable');
      return this.finish('rejected');
    }
    const { status, reason } = result.response;
    if (status >= 300) {
      this.last = frag(status, reason);
      return this.finish('rejected');
    }
    // RFC 6665 §4.1.2.4: the first NOTIFY should come within 64*T1 of the acceptance.
    if (this.timer === undefined) this.arm(64 * this.timers.T1, 'no-notify');
  }

  private arm(ms: number, ended: ReferOutcome['ended']): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.finish(ended), ms);
  }

  private finish(ended: ReferOutcome['ended']): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.forget(this);
    const outcome: ReferOutcome = { status: this.last?.status, statusLine: this.last?.statusLine, ended };
    this.resolveOutcome(outcome);
    this.emit('done', outcome);
  }
}

function frag(status: number, reason: string): SipfragStatus {
  return { statusLine: `SIP/2.0 ${status} ${reason}`, status, reason };
}
