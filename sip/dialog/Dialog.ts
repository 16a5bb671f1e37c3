import { EventEmitter } from 'node:events';
import type { DigestChallenge, DigestClient } from '../digest/index.js';
import { formatUri, parseCSeq, parseNameAddr, type SipRequest, type SipResponse } from '../message/index.js';
import type { RequestContext, RequestResult, SipStack } from '../SipStack.js';
import type { ServerTransaction, TransactionTimers } from '../transaction/index.js';
import type { Endpoint } from '../transport/index.js';
import { AckWait } from './AckWait.js';
import { answerChallenge } from './answerChallenge.js';
import { createInDialogRequest, nextHop, type DialogState, type InDialogRequestInit } from './DialogState.js';
import { receiveInDialog } from './receiveInDialog.js';
import type { IncomingRequest } from './IncomingRequest.js';
import type { IncomingRefer } from './IncomingRefer.js';
import { OutgoingRefer } from './OutgoingRefer.js';

/** Why a dialog ended. */
export type DialogTermination =
  /** We sent BYE (`dialog.bye()`). */
  | { by: 'local'; cause: 'bye' }
  /** The peer sent BYE. */
  | { by: 'remote'; cause: 'bye'; request: SipRequest }
  /** Our 2xx to an INVITE got no ACK within 64*T1, so we sent BYE (RFC 3261 §13.3.1.4). */
  | { by: 'local'; cause: 'no-ack' }
  /** An in-dialog request (other than REFER, SUBSCRIBE, NOTIFY) got 481 or 408, or no answer (408) or a transport failure (503): the peer is gone (§12.2.1.2). */
  | { by: 'remote'; cause: 'gone'; status: number }
  /** `UserAgent.close()`: ended without a BYE. */
  | { by: 'local'; cause: 'closed' };

/**
 * The outcome of an in-dialog request: the stack's result (final response, `timeout`,
 * `transport`), or `terminated` (the dialog had ended) or `request-pending` (an INVITE while
 * another INVITE is in progress on this dialog, RFC 3261 §14.1).
 */
export type DialogRequestResult = RequestResult | { ok: false; reason: 'terminated' | 'request-pending'; error?: undefined };

export interface DialogRequestInit extends InDialogRequestInit {
  /** re-INVITE without an offer: the answer SDP for the ACK, from the offer in the 2xx (§13.2.2.4). */
  answer?: (offer: string, response: SipResponse) => string;
}

export interface DialogId {
  callId: string;
  localTag: string;
  remoteTag: string;
}

interface DialogEvents {
  terminated: [DialogTermination];
  /** The ACK for each 2xx we sent to an INVITE in this dialog, with its body (the answer when our 2xx held the offer). */
  ack: [SipRequest];
}

/** @internal What a dialog needs from the user agent that owns it. */
export interface DialogHost {
  readonly stack: SipStack;
  readonly timers: TransactionTimers;
  /** Our Contact header value, `<sip:...>`. */
  readonly contact: string;
  readonly allow: string;
  readonly digest: DigestClient | undefined;
  warn(message: string): void;
  /** Starts routing the dialog's requests to it. */
  adopt(dialog: Dialog): void;
  /** INVITEs we answered with a reliable provisional that awaits its PRACK (RFC 3262), by earlyDialogKey. */
  readonly earlyInvites?: Map<string, { receivePrack(prack: IncomingRequest): void }>;
  forget(dialog: Dialog): void;
}

/**
 * Requests of a subscription usage of the dialog (RFC 5057 §5): their 481 or 408 ends the
 * subscription (a REFER's progress reports), not the call.
 */
const SUBSCRIPTION_METHODS = new Set(['REFER', 'SUBSCRIBE', 'NOTIFY']);

/** Methods whose requests carry our Contact (§8.1.1.8; RFC 3515 §2.4.1; RFC 6665 §4.2.2). */
const CONTACT_METHODS = new Set(['INVITE', 'UPDATE', 'REFER', 'SUBSCRIBE', 'NOTIFY']);

/**
 * One dialog (RFC 3261 §12), confirmed: a 2xx to an INVITE was sent or received. It sends
 * in-dialog requests along the route set with the next CSeq, answers the peer's BYE (200, then
 * `terminated`), retransmits our 2xx until the ACK, ACKs the peer's 2xx (again for each
 * retransmission), and carries REFER/NOTIFY (RFC 3515). Created by `UserAgent.invite` and
 * `IncomingInvite.answer`; early dialogs are not modelled.
 *
 * @example
 * dialog.onRequest((incoming) => incoming.respond(200)); // INFO, OPTIONS, re-INVITE...
 * dialog.on('terminated', (why) => console.log(`call ended by ${why.by}`));
 * const info = await dialog.request('INFO', dtmfRelay('5'));
 * await dialog.bye();
 */
export class Dialog extends EventEmitter<DialogEvents> {
  readonly id: DialogId;
  /** Resolves when the dialog ends; also emitted as `terminated`. */
  readonly ended: Promise<DialogTermination>;
  private current: 'confirmed' | 'terminated' = 'confirmed';
  private resolveEnded!: (termination: DialogTermination) => void;
  /** @internal */ requestHandler: ((incoming: IncomingRequest) => void) | undefined;
  /** @internal */ referHandler: ((refer: IncomingRefer) => void) | undefined;
  /** @internal UAS: our 2xx awaiting their ACK, by CSeq number. */
  readonly ackWaits = new Map<number, AckWait>();
  /** @internal An INVITE transaction in progress on this dialog, and in which direction (§14.1, §14.2). */
  inviteInProgress: 'outgoing' | 'incoming' | undefined;
  /** @internal REFER subscriptions we started that are still active. */
  readonly refers: OutgoingRefer[] = [];
  private lastAck: { seq: number; ack: SipRequest; destination: Endpoint } | undefined;

  /** @internal */
  constructor(
    /** @internal */ readonly host: DialogHost,
    /** @internal */ readonly dialogState: DialogState,
    /** Answers challenges to our in-dialog requests (the INVITE's credentials, else the user agent's). */
    private readonly digest: DigestClient | undefined = host.digest,
  ) {
    super();
    this.id = { callId: dialogState.callId, localTag: dialogState.localTag, remoteTag: dialogState.remoteTag };
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  get state(): 'confirmed' | 'terminated' {
    return this.current;
  }

  /** Our URI (From of our requests), e.g. `sip:alice@127.0.0.1`. */
  get localUri(): string {
    return uriOf(this.dialogState.localParty);
  }

  /** The peer's URI (To of our requests). */
  get remoteUri(): string {
    return uriOf(this.dialogState.remoteParty);
  }

  /** The peer's Contact URI, updated by target refreshes (re-INVITE). */
  get remoteTarget(): string {
    return this.dialogState.remoteTarget;
  }

  /** The Route header values our requests carry, in order. */
  get routeSet(): readonly string[] {
    return this.dialogState.routeSet;
  }

  /** Handles the peer's in-dialog requests other than BYE, ACK and the NOTIFYs of our REFERs (and REFER, when `onRefer` is set). Unhandled: see answerUnhandled. */
  onRequest(handler: (incoming: IncomingRequest) => void): void {
    this.requestHandler = handler;
  }

  /** Accepts the peer's REFERs (202) and hands them over; without it REFER goes to `onRequest`, else gets 603. */
  onRefer(handler: (refer: IncomingRefer) => void): void {
    this.referHandler = handler;
  }

  /**
   * Sends a request within the dialog (§12.2.1.1): BYE, INVITE (re-INVITE), INFO, OPTIONS, REFER,
   * NOTIFY, UPDATE, MESSAGE. Resolves with the final response or a failure value; never rejects.
   * A 2xx to a re-INVITE is ACKed here; a 401/407 is answered once when credentials were given.
   */
  request(method: string, init: DialogRequestInit = {}): Promise<DialogRequestResult> {
    if (method === 'ACK' || method === 'CANCEL') throw new TypeError(`Dialog.request: ${method} is sent by the dialog itself (RFC 3261 §13.2.2.4, §9.1)`);
    if (this.current === 'terminated') return Promise.resolve({ ok: false, reason: 'terminated' });
    if (method !== 'INVITE') return this.send(method, init);
    if (this.inviteInProgress !== undefined) return Promise.resolve({ ok: false, reason: 'request-pending' });
    this.inviteInProgress = 'outgoing';
    return this.send(method, init).finally(() => {
      if (this.inviteInProgress === 'outgoing') this.inviteInProgress = undefined;
    });
  }

  /**
   * Ends the dialog with a BYE (§15.1.1): `terminated` fires at once. As the UAS we first wait for
   * the ACK of our 2xx (§15: no BYE before it, or before 64*T1).
   */
  async bye(init: InDialogRequestInit = {}): Promise<DialogRequestResult> {
    const pending = [...this.ackWaits.values()].map((wait) => wait.acked);
    if (pending.length > 0) await Promise.all(pending);
    if (this.current === 'terminated') return { ok: false, reason: 'terminated' };
    this.terminate({ by: 'local', cause: 'bye' });
    return this.send('BYE', init);
  }

  /**
   * Sends a REFER (RFC 3515) asking the peer to call `referTo` (a URI, or a name-addr), with
   * Referred-By our URI; follow it through the returned OutgoingRefer.
   */
  refer(referTo: string, init: InDialogRequestInit = {}): OutgoingRefer {
    const target = referTo.trim().startsWith('<') || referTo.includes('"') ? referTo : `<${referTo}>`;
    const headers: Array<[string, string | number]> = [['Refer-To', target], ['Referred-By', `<${this.localUri}>`], ...(init.headers ?? [])];
    const refer = new OutgoingRefer(
      this.host.timers,
      (built) => (this.current === 'terminated' ? Promise.resolve({ ok: false, reason: 'terminated' }) : this.send('REFER', { ...init, headers }, built)),
      (done) => {
        const index = this.refers.indexOf(done);
        if (index !== -1) this.refers.splice(index, 1);
      },
    );
    if (this.current !== 'terminated') this.refers.push(refer);
    return refer;
  }

  /** @internal A request from the peer whose To tag names this dialog. */
  receiveRequest(request: SipRequest, tx: ServerTransaction, context: RequestContext): void {
    receiveInDialog(this, request, tx, context);
  }

  /** @internal The ACK for one of our 2xx (§13.3.1.4); ACKs for other CSeqs are retransmissions, ignored. */
  receiveAck(ack: SipRequest): void {
    const seq = parseCSeq(ack.headers.get('CSeq') ?? '')?.seq;
    const wait = seq === undefined ? undefined : this.ackWaits.get(seq);
    if (wait === undefined || seq === undefined) return;
    this.ackWaits.delete(seq);
    wait.ack(ack);
    this.emit('ack', ack);
  }

  /** @internal Our 2xx to an INVITE (initial or re-INVITE) went out: retransmit it until the ACK (§13.3.1.4). */
  expectAck(response: SipResponse, tx: ServerTransaction, context: RequestContext): AckWait {
    const seq = parseCSeq(response.headers.get('CSeq') ?? '')?.seq ?? 0;
    const { stack } = this.host;
    const route = stack.responseDestination(tx.request, context);
    const wait = new AckWait(
      this.host.timers,
      () => {
        // RFC 6026 §7.1: through the Accepted transaction while it lasts, then straight to the transport.
        if (tx.state === 'Accepted') tx.respond(response);
        else stack.sendStateless(response, route.destination, route.flowId).catch((error: unknown) => this.host.warn(`Dialog: could not retransmit the 2xx: ${describe(error)}`));
      },
      () => {
        if (this.ackWaits.get(seq) !== wait) return;
        this.ackWaits.delete(seq);
        this.host.warn(`Dialog ${this.id.callId}: no ACK for our 2xx within 64*T1; ending the call with BYE (RFC 3261 §13.3.1.4)`);
        if (this.current === 'terminated') return;
        this.terminate({ by: 'local', cause: 'no-ack' });
        void this.send('BYE', {});
      },
    );
    this.ackWaits.get(seq)?.stop();
    this.ackWaits.set(seq, wait);
    wait.start();
    return wait;
  }

  /** @internal ACKs a 2xx to our INVITE (§13.2.2.4): same CSeq number, the INVITE's credentials, a new branch. */
  acknowledge(invite: SipRequest, response: SipResponse, answer?: (offer: string, response: SipResponse) => string): void {
    const seq = parseCSeq(invite.headers.get('CSeq') ?? '')?.seq ?? this.dialogState.localSeq;
    const credentials = [...invite.headers.entries()].filter(([name]) => /^(proxy-)?authorization$/i.test(name));
    const offer = invite.body.length === 0 && response.body.length > 0 ? response.body.toString('utf8') : undefined;
    const body = offer !== undefined && answer !== undefined ? answer(offer, response) : undefined;
    const ack = createInDialogRequest(this.dialogState, 'ACK', seq, {
      headers: credentials,
      ...(body === undefined ? {} : { body, contentType: 'application/sdp' }),
    });
    const destination = nextHop(ack, this.dialogState.protocol);
    if (destination === undefined) return this.host.warn(`Dialog ${this.id.callId}: cannot route the ACK to ${ack.uri}`);
    this.host.stack.prependVia(ack, destination.protocol);
    this.lastAck = { seq, ack, destination };
    this.sendAck();
  }

  /** @internal A 2xx to our INVITE came again (our ACK was lost): the same ACK goes again (§13.2.2.4). */
  reacknowledge(response: SipResponse): void {
    const seq = parseCSeq(response.headers.get('CSeq') ?? '')?.seq;
    if (this.lastAck !== undefined && seq === this.lastAck.seq) this.sendAck();
  }

  /** @internal Ends the dialog once: stops retransmissions, ends REFER subscriptions, tells the user agent and the listeners. */
  terminate(termination: DialogTermination): void {
    if (this.current === 'terminated') return;
    this.current = 'terminated';
    for (const wait of this.ackWaits.values()) wait.stop();
    this.ackWaits.clear();
    for (const refer of [...this.refers]) refer.dialogTerminated();
    this.host.forget(this);
    this.resolveEnded(termination);
    this.emit('terminated', termination);
  }

  /** @internal Sends one in-dialog request, answering one digest challenge; `built` sees the CSeq of each request built. */
  async send(method: string, init: DialogRequestInit, built?: (seq: number) => void): Promise<DialogRequestResult> {
    let credentials: [string, string] | undefined;
    let answered: DigestChallenge | undefined;
    for (;;) {
      const seq = ++this.dialogState.localSeq;
      const request = createInDialogRequest(this.dialogState, method, seq, {
        ...init,
        headers: [...(init.headers ?? []), ...(credentials ? [credentials] : [])],
        ...(CONTACT_METHODS.has(method) ? { contact: this.host.contact } : {}),
      });
      built?.(seq);
      const destination = nextHop(request, this.dialogState.protocol);
      if (destination === undefined) return { ok: false, reason: 'transport', error: new Error(`Dialog: cannot route ${method} to ${request.uri} (no SIP host to send to)`) };
      const handlers = method === 'INVITE' ? { onRetransmitted2xx: (response: SipResponse) => this.reacknowledge(response) } : {};
      const result = await this.host.stack.request(request, destination, handlers);
      if (!result.ok) {
        // §12.2.1.2: no answer at all counts as a 408; a transport failure means the peer is unreachable.
        if (!SUBSCRIPTION_METHODS.has(method)) this.terminate({ by: 'remote', cause: 'gone', status: result.reason === 'timeout' ? 408 : 503 });
        return result;
      }
      const { response } = result;
      if ((response.status === 401 || response.status === 407) && this.digest !== undefined) {
        const reply = answerChallenge(response, this.digest, method, request.uri);
        if (reply !== undefined && (answered === undefined || reply.challenge.stale === true)) {
          credentials = reply.header;
          answered = reply.challenge;
          continue;
        }
      }
      if (method === 'INVITE' && response.status >= 200 && response.status < 300) {
        this.refreshTarget(response);
        this.acknowledge(request, response, init.answer);
      }
      // §12.2.1.2: a 481 or 408 to a request within a dialog ends it.
      if ((response.status === 481 || response.status === 408) && !SUBSCRIPTION_METHODS.has(method)) this.terminate({ by: 'remote', cause: 'gone', status: response.status });
      return result;
    }
  }

  /** @internal §12.2.1.2 / §12.2.2: a 2xx to a target refresh (or the refresh request itself) carries the peer's new Contact. */
  refreshTarget(message: SipRequest | SipResponse): void {
    const contact = message.headers.get('Contact');
    const parsed = contact === undefined ? undefined : parseNameAddr(contact);
    if (parsed !== undefined) this.dialogState.remoteTarget = formatUri(parsed.uri);
  }

  private sendAck(): void {
    const last = this.lastAck;
    if (last === undefined) return;
    this.host.stack.sendStateless(last.ack, last.destination).catch((error: unknown) => this.host.warn(`Dialog ${this.id.callId}: could not send the ACK: ${describe(error)}`));
  }
}

function uriOf(party: string): string {
  const parsed = parseNameAddr(party);
  return parsed === undefined ? party : formatUri(parsed.uri);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

