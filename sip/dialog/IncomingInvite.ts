import { EventEmitter } from 'node:events';
import { generateTag, parseCSeq, type SipRequest } from '../message/index.js';
import type { RequestContext } from '../SipStack.js';
import type { ServerTransaction } from '../transaction/index.js';
import { Dialog, type DialogHost } from './Dialog.js';
import { createUasDialogState, tagOf } from './DialogState.js';
import { IncomingRequest, type RespondInit } from './IncomingRequest.js';
import { earlyDialogKey, optionTags, parseRAck, PendingReliableProvisional, RELIABLE_PROVISIONALS } from './reliableProvisional.js';

export interface AnswerInit {
  /** Our SDP: the answer to the INVITE's offer, or our offer when the INVITE had none (the answer then comes in the ACK). */
  sdp?: string;
  headers?: Array<[string, string | number]>;
}

interface IncomingInviteEvents {
  /** The caller sent CANCEL before we answered; the INVITE got 487 (RFC 3261 §9.2). */
  cancelled: [];
}

/**
 * A new INVITE from a caller (UAS, RFC 3261 §13.3): ring it, answer it (which gives the Dialog)
 * or reject it. The caller's CANCEL before the answer is answered 487 here and emitted as
 * `cancelled`. After `answer`, our 200 is retransmitted until the ACK (§13.3.1.4); `acked`
 * resolves with the ACK (carrying the answer SDP when the INVITE had no offer), or undefined.
 *
 * @example
 * ua.onInvite(async (call) => {
 *   call.ring();
 *   call.on('cancelled', () => console.log('caller hung up'));
 *   const dialog = call.answer({ sdp: buildAnswer(call.offer) });
 *   const ack = await call.acked;
 * });
 */
export class IncomingInvite extends EventEmitter<IncomingInviteEvents> {
  /** The INVITE's body when it has one (its SDP offer), else undefined. */
  readonly offer: string | undefined;
  /** The ACK for our 200; undefined when it never came, or the call was rejected or cancelled. */
  readonly acked: Promise<SipRequest | undefined>;
  /** The caller requires reliable provisional responses (`Require: 100rel`, RFC 3262): `ring` sends them so. */
  readonly reliable: boolean;
  private pending: PendingReliableProvisional | undefined;
  private rseq: number;
  /** Our answer's dialog while its 200 waits for a PRACK. */
  private answering: Dialog | undefined;
  private current: 'pending' | 'answered' | 'rejected' | 'cancelled' = 'pending';
  private readonly incoming: IncomingRequest;
  private readonly localTag: string;
  private resolveAcked!: (ack: SipRequest | undefined) => void;

  /** @internal */
  constructor(
    private readonly host: DialogHost,
    readonly request: SipRequest,
    readonly tx: ServerTransaction,
    readonly context: RequestContext,
  ) {
    super();
    this.localTag = generateTag(host.stack.random);
    this.offer = request.body.length > 0 ? request.body.toString('utf8') : undefined;
    this.reliable = optionTags(request, 'Require').includes(RELIABLE_PROVISIONALS);
    // RFC 3262 §3: the first RSeq is chosen between 1 and 2**31 - 1.
    this.rseq = 1 + (host.stack.random(4).readUInt32BE(0) % 0x3fff_ffff);
    this.acked = new Promise((resolve) => (this.resolveAcked = resolve));
    this.incoming = new IncomingRequest(request, tx, context, { toTag: this.localTag, contact: host.contact });
    tx.onCancel(() => {
      if (this.current !== 'pending') return;
      this.current = 'cancelled';
      this.stopReliable();
      this.incoming.respond(487);
      this.resolveAcked(undefined);
      this.emit('cancelled');
    });
  }

  get state(): 'pending' | 'answered' | 'rejected' | 'cancelled' {
    return this.current;
  }

  /**
   * Sends 180 Ringing (or 183 with early-media SDP). False once a final response has gone out.
   * When the caller requires 100rel it goes reliably (RFC 3262 §3): with `Require: 100rel` and
   * `RSeq`, again at T1 doubling until its PRACK (answered 200 here); a second one waits for that
   * PRACK (false now), and without a PRACK in 64*T1 the INVITE gets 504.
   */
  ring(init: { status?: number; sdp?: string; headers?: Array<[string, string | number]> } = {}): boolean {
    const status = init.status ?? 180;
    if (status <= 100 || status >= 200) throw new RangeError(`IncomingInvite.ring: ${status} is not a provisional status with a tag (101-199)`);
    if (this.current !== 'pending') return false;
    if (!this.reliable) return this.incoming.respond(status, { ...sdpBody(init.sdp), ...(init.headers ? { headers: init.headers } : {}) });
    // §3: no second reliable provisional before the first one's PRACK.
    if (this.pending !== undefined) return false;
    const rseq = this.rseq++;
    let sent: Parameters<ServerTransaction['respond']>[0] | undefined;
    const reliably = new IncomingRequest(this.request, this.tx, this.context, { toTag: this.localTag, contact: this.host.contact, onResponse: (response) => (sent = response) });
    const headers: Array<[string, string | number]> = [['Require', RELIABLE_PROVISIONALS], ['RSeq', rseq], ...(init.headers ?? [])];
    if (!reliably.respond(status, { ...sdpBody(init.sdp), headers })) return false;
    const cseq = parseCSeq(this.request.headers.get('CSeq') ?? '')?.seq ?? 0;
    this.pending = new PendingReliableProvisional(rseq, cseq, this.host.timers, () => sent && this.tx.respond(sent), () => {
      this.pending = undefined;
      this.host.warn(`IncomingInvite ${this.request.headers.get('Call-ID') ?? ''}: no PRACK for our reliable ${status} within 64*T1; rejecting the INVITE with 504 (RFC 3262 §3)`);
      if (this.current === 'answered') this.failAnswer();
      else this.reject(504, { reason: 'Server Time-out (no PRACK for the reliable provisional response)' });
    });
    this.host.earlyInvites?.set(earlyKey(this.request, this.localTag), this);
    return true;
  }

  /** @internal A PRACK in our early dialog (RFC 3262 §3): 200 when its RAck names our pending reliable provisional, else 481. */
  receivePrack(prack: IncomingRequest): void {
    const rack = parseRAck(prack.request.headers.get('RAck'));
    const pending = this.pending;
    if (rack === undefined || pending === undefined || !pending.matches(rack)) {
      prack.respond(481, { reason: 'Call/Transaction Does Not Exist (RAck matches no unacknowledged reliable provisional response)' });
      return;
    }
    this.pending = undefined;
    this.host.earlyInvites?.delete(earlyKey(this.request, this.localTag));
    prack.respond(200);
    pending.prack();
  }

  private stopReliable(): void {
    this.pending?.stop();
    this.pending = undefined;
    this.host.earlyInvites?.delete(earlyKey(this.request, this.localTag));
  }

  /** Answered, but the 200 never left: no PRACK came. The INVITE gets 504 and the dialog ends. */
  private failAnswer(): void {
    this.host.earlyInvites?.delete(earlyKey(this.request, this.localTag));
    this.incoming.respond(504, { reason: 'Server Time-out (no PRACK for the reliable provisional response)' });
    this.resolveAcked(undefined);
    this.answering?.terminate({ by: 'local', cause: 'no-ack' });
  }

  /**
   * Sends 200 OK (with our Contact, and `sdp`) and returns the confirmed Dialog, or undefined when
   * the caller cancelled first. Answering twice, or after `reject`, is a programmer error.
   */
  answer(init: AnswerInit = {}): Dialog | undefined {
    if (this.current === 'cancelled') return undefined;
    if (this.current !== 'pending') throw new Error(`IncomingInvite.answer: this INVITE was already ${this.current}`);
    this.current = 'answered';
    const dialog = new Dialog(this.host, createUasDialogState(this.request, this.localTag, this.context.source.protocol));
    // Routed before the 200 leaves, so an ACK or BYE that follows at once finds the dialog.
    this.host.adopt(dialog);
    const answered = new IncomingRequest(this.request, this.tx, this.context, {
      toTag: this.localTag,
      contact: this.host.contact,
      onResponse: (response) => void dialog.expectAck(response, this.tx, this.context).acked.then(this.resolveAcked),
    });
    const send = (): void => void answered.respond(200, { ...sdpBody(init.sdp), ...(init.headers ? { headers: init.headers } : {}) });
    // RFC 3262 §3: the 2xx waits for the PRACK of the reliable provisional response still outstanding.
    const pending = this.pending;
    if (pending === undefined) send();
    else void pending.acknowledged.then((acknowledged) => acknowledged && send());
    this.answering = dialog;
    return dialog;
  }

  /** Sends a final failure (486 Busy Here by default; 603 Decline, 480...). False when already answered, rejected or cancelled. */
  reject(status = 486, init: RespondInit = {}): boolean {
    if (status < 300 || status > 699) throw new RangeError(`IncomingInvite.reject: ${status} is not a failure status (300-699)`);
    if (this.current !== 'pending') return false;
    this.current = 'rejected';
    this.stopReliable();
    this.resolveAcked(undefined);
    return this.incoming.respond(status, init);
  }
}

function earlyKey(request: SipRequest, localTag: string): string {
  return earlyDialogKey(request.headers.get('Call-ID') ?? '', localTag, tagOf(request.headers.get('From') ?? '') ?? '');
}

function sdpBody(sdp: string | undefined): { body?: string; contentType?: string } {
  return sdp === undefined ? {} : { body: sdp, contentType: 'application/sdp' };
}
