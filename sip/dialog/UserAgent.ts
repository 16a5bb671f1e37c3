import { DigestClient } from '../digest/index.js';
import { generateTag, parseNameAddr, formatNameAddr, type SipRequest, type SipResponse } from '../message/index.js';
import type { RequestContext, SipStack } from '../SipStack.js';
import { resolveTimers, type ServerTransaction, type TransactionTimers } from '../transaction/index.js';
import type { Dialog, DialogHost } from './Dialog.js';
import { tagOf } from './DialogState.js';
import { IncomingInvite } from './IncomingInvite.js';
import { answerUnhandled, IncomingRequest } from './IncomingRequest.js';
import { OutgoingInvite, type InviteOptions } from './OutgoingInvite.js';
import { earlyDialogKey, optionTags, SUPPORTED_EXTENSIONS } from './reliableProvisional.js';

export interface UserAgentOptions {
  /** Our Contact URI, where peers send in-dialog requests: `sip:agent@127.0.0.1:5062` (add `;transport=tcp` over TCP). */
  contact: string;
  /** The stack's T1/T2 (2xx retransmission, CANCEL and NOTIFY waits); pass the same values as to the SipStack. RFC defaults. */
  timers?: Partial<TransactionTimers>;
  /** Answers 401/407 to our INVITEs and in-dialog requests (an INVITE may bring its own). */
  credentials?: { username: string; password: string };
  /** Problems worth a log line (no ACK for a 2xx, a handler that threw, an ACK that could not be sent). */
  onWarning?: (message: string) => void;
}

/** The methods we implement; sent as Allow. */
export const ALLOWED_METHODS = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, PRACK';

/**
 * A dialog-stateful user agent (RFC 3261 §8, §12-15) over a SipStack. It takes the stack's
 * `onRequest` and `onStrayResponse`: requests within a dialog go to their Dialog (481 when there
 * is none, §12.2.2), new INVITEs to `onInvite`, other requests outside a dialog (OPTIONS, MESSAGE,
 * ...) to `onRequest`, and a request that nobody handles still gets a proper answer.
 *
 * @example
 * const ua = new UserAgent(stack, { contact: 'sip:agent@127.0.0.1:5062' });
 * ua.onInvite((call) => {
 *   call.ring();
 *   const dialog = call.answer({ sdp: answerSdp });
 *   dialog?.on('terminated', (why) => console.log('ended by', why.by));
 * });
 * const call = ua.invite({ target: 'sip:101@127.0.0.1', from: 'sip:caller@127.0.0.1', destination: { protocol: 'UDP', address: '127.0.0.1', port: 5060 }, sdp: offer });
 * const result = await call.result;
 * if (result.ok) await result.dialog.bye();
 * else console.log(`call failed: ${result.status} ${result.reason}`);
 */
export class UserAgent implements DialogHost {
  readonly timers: TransactionTimers;
  /** Our Contact header value, `<sip:...>`. */
  readonly contact: string;
  readonly allow = ALLOWED_METHODS;
  readonly digest: DigestClient | undefined;
  private readonly byId = new Map<string, Dialog>();
  /** @internal */
  readonly earlyInvites = new Map<string, { receivePrack(prack: IncomingRequest): void }>();
  private inviteHandler: ((call: IncomingInvite) => void) | undefined;
  private requestHandler: ((incoming: IncomingRequest) => void) | undefined;
  private closed = false;

  constructor(
    readonly stack: SipStack,
    private readonly options: UserAgentOptions,
  ) {
    // A bare URI is wrapped first: its `;transport=tcp` belongs to the URI, not to the header (§20.10).
    const text = options.contact.trim();
    const contact = parseNameAddr(/^["<]/.test(text) || /^[^<]*\s</.test(text) ? text : `<${text}>`);
    if (contact === undefined) throw new TypeError(`UserAgent: contact ${JSON.stringify(options.contact)} is not a SIP URI`);
    this.contact = formatNameAddr(contact);
    this.timers = resolveTimers(options.timers);
    this.digest = options.credentials === undefined ? undefined : new DigestClient(options.credentials.username, options.credentials.password, { random: stack.random });
    stack.onRequest((request, tx, context) => this.receive(request, tx, context));
    stack.onStrayResponse((response) => this.receiveStray2xx(response));
  }

  /** Handles new calls. Without a handler, INVITEs get 480 Temporarily Unavailable. */
  onInvite(handler: (call: IncomingInvite) => void): void {
    this.inviteHandler = handler;
  }

  /** Handles requests outside any dialog other than INVITE (OPTIONS, MESSAGE, SUBSCRIBE...). Default: see answerUnhandled. */
  onRequest(handler: (incoming: IncomingRequest) => void): void {
    this.requestHandler = handler;
  }

  /** Places a call; see OutgoingInvite. Throws only on a malformed target or identity. */
  invite(options: InviteOptions): OutgoingInvite {
    return new OutgoingInvite(this, options);
  }

  /** The dialogs currently confirmed. */
  get dialogs(): Dialog[] {
    return [...this.byId.values()];
  }

  /**
   * Ends every dialog without a BYE (call `dialog.bye()` first for a clean hang-up), stops the
   * 2xx retransmissions, and answers new requests 503. The stack stays open: its owner closes it.
   */
  close(): void {
    this.closed = true;
    for (const dialog of this.dialogs) dialog.terminate({ by: 'local', cause: 'closed' });
  }

  /** @internal */
  adopt(dialog: Dialog): void {
    this.byId.set(dialogKey(dialog.id.callId, dialog.id.localTag, dialog.id.remoteTag), dialog);
  }

  /** @internal */
  forget(dialog: Dialog): void {
    const key = dialogKey(dialog.id.callId, dialog.id.localTag, dialog.id.remoteTag);
    if (this.byId.get(key) === dialog) this.byId.delete(key);
  }

  /** @internal */
  warn(message: string): void {
    this.options.onWarning?.(message);
  }

  private receive(request: SipRequest, tx: ServerTransaction | undefined, context: RequestContext): void {
    if (request.method === 'ACK') {
      // An ACK for a 2xx (the stack absorbed those for non-2xx); one matching no dialog is dropped, never answered.
      this.dialogFor(request)?.receiveAck(request);
      return;
    }
    if (tx === undefined) return;
    // Out of dialog, every response gets a To tag of its own (§8.2.6.2); in a dialog, the dialog answers.
    const incoming = new IncomingRequest(request, tx, context, { toTag: generateTag(this.stack.random), contact: this.contact });
    if (this.closed) {
      incoming.respond(503, { reason: 'Service Unavailable (user agent closed)' });
      return;
    }
    // RFC 3261 §8.2.2.3: a Require option tag we do not support (all but 100rel) MUST get 420 with Unsupported.
    const unsupported = optionTags(request, 'Require').filter((tag) => !SUPPORTED_EXTENSIONS.has(tag));
    if (unsupported.length > 0 && request.method !== 'CANCEL') {
      incoming.respond(420, { headers: [['Unsupported', unsupported.join(', ')]] });
      return;
    }
    if (tagOf(request.headers.get('To') ?? '') !== undefined) {
      // RFC 3262 §3: a PRACK for a reliable provisional response (the dialog may exist already, its 200 waiting for it).
      const early = request.method === 'PRACK' ? this.earlyInvites.get(this.keyOf(request)) : undefined;
      if (early !== undefined) return early.receivePrack(incoming);
      const dialog = this.dialogFor(request);
      if (dialog !== undefined) return dialog.receiveRequest(request, tx, context);
      // §12.2.2: a request with a To tag that matches no dialog MUST get 481.
      incoming.respond(481, { reason: 'Call/Transaction Does Not Exist' });
      return;
    }
    switch (request.method) {
      case 'INVITE':
        return this.receiveInvite(request, tx, context, incoming);
      case 'CANCEL':
      case 'BYE':
        // §9.2, §15.1.2: a CANCEL matching no INVITE, a BYE outside any dialog.
        incoming.respond(481, { reason: 'Call/Transaction Does Not Exist' });
        return;
      default:
        if (this.requestHandler === undefined) return answerUnhandled(incoming, this.allow);
        this.invoke(incoming, this.requestHandler);
    }
  }

  private receiveInvite(request: SipRequest, tx: ServerTransaction, context: RequestContext, incoming: IncomingRequest): void {
    const handler = this.inviteHandler;
    if (handler === undefined) {
      incoming.respond(480, { reason: 'Temporarily Unavailable (no one takes calls here)' });
      return;
    }
    const call = new IncomingInvite(this, request, tx, context);
    try {
      handler(call);
    } catch (error) {
      this.warn(`UserAgent: the INVITE handler threw: ${describe(error)}`);
      call.reject(500, { reason: 'Server Internal Error (handler failed)' });
    }
  }

  private invoke(incoming: IncomingRequest, handler: (incoming: IncomingRequest) => void): void {
    try {
      handler(incoming);
    } catch (error) {
      this.warn(`UserAgent: the ${incoming.method} handler threw: ${describe(error)}`);
      incoming.respond(500, { reason: 'Server Internal Error (handler failed)' });
    }
  }

  /** A 2xx to one of our INVITEs after its transaction ended (Timer M): ACK it again (§13.2.2.4). */
  private receiveStray2xx(response: SipResponse): void {
    const local = tagOf(response.headers.get('From') ?? '');
    const remote = tagOf(response.headers.get('To') ?? '') ?? '';
    const dialog = local === undefined ? undefined : this.byId.get(dialogKey(response.headers.get('Call-ID') ?? '', local, remote));
    dialog?.reacknowledge(response);
  }

  /** §12.2.2: a request's dialog is named by its Call-ID, its To tag (ours) and its From tag (theirs). */
  private dialogFor(request: SipRequest): Dialog | undefined {
    const local = tagOf(request.headers.get('To') ?? '');
    if (local === undefined) return undefined;
    return this.byId.get(this.keyOf(request));
  }

  private keyOf(request: SipRequest): string {
    return dialogKey(request.headers.get('Call-ID') ?? '', tagOf(request.headers.get('To') ?? '') ?? '', tagOf(request.headers.get('From') ?? '') ?? '');
  }
}

const dialogKey = earlyDialogKey;

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
