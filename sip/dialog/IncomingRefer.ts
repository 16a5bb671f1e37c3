import { parseNameAddr, formatUri, type SipRequest } from '../message/index.js';
import type { DialogRequestResult } from './Dialog.js';
import { formatSipfrag, parseSipfrag, SIPFRAG_CONTENT_TYPE } from './sipfrag.js';

/** How long the implicit subscription of a REFER says it lasts while active (RFC 3515 §2.4.4). */
export const REFER_SUBSCRIPTION_EXPIRES = 60;

type SendNotify = (init: { headers: Array<[string, string]>; body: string; contentType: string }) => Promise<DialogRequestResult>;

/**
 * The transferee's side of a REFER (RFC 3515) that the dialog accepted with 202: where to go, and
 * `notify` to report how that call is going. The dialog sends the first NOTIFY
 * (`SIP/2.0 100 Trying`) itself; NOTIFYs go out one at a time, each after the previous one's answer.
 *
 * @example
 * dialog.onRefer(async (refer) => {
 *   const call = ua.invite({ target: refer.referTo, ... });
 *   const result = await call.result;
 *   await refer.notify(result.ok ? 200 : result.status, { terminated: true });
 * });
 */
export class IncomingRefer {
  /** The URI of Refer-To, with any `?header=` part (Replaces...), e.g. `sip:200@127.0.0.1`. */
  readonly referTo: string;
  /** The Referred-By value, when the referrer sent one. */
  readonly referredBy: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private ended = false;

  /** @internal */
  constructor(
    readonly request: SipRequest,
    referTo: string,
    private readonly seq: number,
    private readonly send: SendNotify,
  ) {
    this.referTo = referTo;
    this.referredBy = request.headers.get('Referred-By');
  }

  /** Whether the NOTIFY with Subscription-State terminated has been queued. */
  get terminated(): boolean {
    return this.ended;
  }

  /**
   * Sends a NOTIFY (Event: refer) whose sipfrag body is `status` (a number, or a whole status
   * line such as `SIP/2.0 486 Busy Here`). With `terminated`, it is the last one
   * (Subscription-State: terminated;reason=noresource); later calls resolve with `terminated`.
   */
  notify(status: number | string, options: { terminated?: boolean } = {}): Promise<DialogRequestResult> {
    const body = typeof status === 'number' ? formatSipfrag(status) : checkedStatusLine(status);
    if (this.ended) return Promise.resolve({ ok: false, reason: 'terminated' });
    if (options.terminated) this.ended = true;
    const subscriptionState = options.terminated ? 'terminated;reason=noresource' : `active;expires=${REFER_SUBSCRIPTION_EXPIRES}`;
    const headers: Array<[string, string]> = [
      ['Event', `refer;id=${this.seq}`],
      ['Subscription-State', subscriptionState],
    ];
    // RFC 6665 §4.2.2: a notifier SHOULD NOT send a NOTIFY before the previous one got its answer.
    const sent = this.queue.then(() => this.send({ headers, body, contentType: SIPFRAG_CONTENT_TYPE }));
    this.queue = sent;
    return sent;
  }
}

/** The URI inside a Refer-To value (RFC 3515 §2.1), or undefined when it is not a name-addr we can use. */
export function referTarget(value: string): string | undefined {
  const parsed = parseNameAddr(value);
  return parsed === undefined ? undefined : formatUri(parsed.uri);
}

function checkedStatusLine(line: string): string {
  const frag = parseSipfrag(line);
  if (frag === undefined) throw new TypeError(`IncomingRefer.notify: ${JSON.stringify(line)} is not a SIP status line such as "SIP/2.0 200 OK"`);
  return `${frag.statusLine}\r\n`;
}
