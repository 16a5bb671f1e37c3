import { createResponse, type SipRequest, type SipResponse } from '../message/index.js';
import type { RequestContext } from '../SipStack.js';
import type { ServerTransaction } from '../transaction/index.js';

export interface RespondInit {
  /** Reason-Phrase; the standard one for the status by default. */
  reason?: string;
  headers?: Array<[string, string | number]>;
  body?: Buffer | string;
  contentType?: string;
}

export interface IncomingRequestOptions {
  /** The To tag of every response but 100: the dialog's local tag, or a fresh one out of dialog. */
  toTag: string;
  /** Our Contact, added where dialog rules need it (1xx/2xx to INVITE, 2xx to REFER and SUBSCRIBE), with the request's Record-Route. */
  contact: string;
  /** Sees each response before it is sent (the dialog starts its 2xx retransmissions here). */
  onResponse?: (response: SipResponse) => void;
}

/**
 * A request from the peer and the server transaction it arrived in, waiting for its answer.
 * Handlers answer with `respond(status, init)`, which fills in the To tag and the Contact.
 *
 * @example
 * dialog.onRequest((incoming) => {
 *   const dtmf = incoming.request.method === 'INFO' ? parseDtmfRelay(incoming.request) : undefined;
 *   incoming.respond(dtmf ? 200 : 415);
 * });
 */
export class IncomingRequest {
  private finalSent = false;

  constructor(
    readonly request: SipRequest,
    readonly tx: ServerTransaction,
    readonly context: RequestContext,
    private readonly options: IncomingRequestOptions,
  ) {}

  get method(): string {
    return this.request.method;
  }

  /** Whether a final response has been sent. */
  get answered(): boolean {
    return this.finalSent;
  }

  /**
   * Sends a response. Returns false, sending nothing, when a final response was already sent
   * (a race with a CANCEL, say): only one final response per request (RFC 3261 §17.2).
   */
  respond(status: number, init: RespondInit = {}): boolean {
    if (this.finalSent) return false;
    if (status >= 200) this.finalSent = true;
    const response = createResponse(this.request, status, init.reason, {
      // §8.2.6.2: every response but 100 carries our To tag; a 100 may leave it out.
      ...(status === 100 ? {} : { toTag: this.options.toTag }),
      headers: this.withDialogHeaders(status, init.headers ?? []),
      ...(init.body === undefined ? {} : { body: init.body }),
      ...(init.contentType === undefined ? {} : { contentType: init.contentType }),
    });
    this.options.onResponse?.(response);
    this.tx.respond(response);
    return true;
  }

  private withDialogHeaders(status: number, headers: Array<[string, string | number]>): Array<[string, string | number]> {
    const method = this.request.method;
    // §12.1.1: a response that sets up or refreshes a dialog MUST carry Contact; so do 2xx to REFER (RFC 3515 §2.4.2).
    const dialogResponse = (method === 'INVITE' && status > 100 && status < 300) || ((method === 'REFER' || method === 'SUBSCRIBE') && status >= 200 && status < 300);
    if (!dialogResponse) return headers;
    // §12.1.1: it MUST also copy every Record-Route of the request, in order, so the caller learns the route set.
    const recordRoutes = this.request.headers.getLines('Record-Route').map((value): [string, string] => ['Record-Route', value]);
    const contact: Array<[string, string]> = headers.some(([name]) => /^(contact|m)$/i.test(name)) ? [] : [['Contact', this.options.contact]];
    return [...recordRoutes, ...contact, ...headers];
  }
}

/** The response a request gets when nobody handles it (RFC 3261 §8.2.1, §21.4.6, §21.5.2). */
export function answerUnhandled(incoming: IncomingRequest, allow: string): void {
  switch (incoming.method) {
    case 'OPTIONS':
      incoming.respond(200, { headers: [['Allow', allow], ['Accept', 'application/sdp']] });
      return;
    case 'INFO':
      // Legacy INFO (RFC 6086 §2) has no package negotiation: accept and ignore, as phones do.
      incoming.respond(200);
      return;
    case 'INVITE':
      incoming.respond(488, { reason: 'Not Acceptable Here (no handler for re-INVITE)' });
      return;
    case 'REFER':
      incoming.respond(603, { reason: 'Decline (transfers are not accepted here)' });
      return;
    case 'NOTIFY':
      // RFC 6665 §4.1.3: a NOTIFY matching no subscription gets 481.
      incoming.respond(481, { reason: 'Subscription Does Not Exist' });
      return;
    default:
      if (allow.split(/\s*,\s*/).includes(incoming.method) || ['MESSAGE', 'UPDATE', 'SUBSCRIBE', 'PRACK', 'PUBLISH', 'REGISTER'].includes(incoming.method)) {
        incoming.respond(405, { headers: [['Allow', allow]] });
      } else {
        incoming.respond(501, { reason: `Not Implemented (${incoming.method})`, headers: [['Allow', allow]] });
      }
  }
}
