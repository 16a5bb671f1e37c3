import { EventEmitter } from 'node:events';
import { generateTag, type SipRequest } from '../message/index.js';
import type { RequestContext } from '../SipStack.js';
import type { ServerTransaction } from '../transaction/index.js';
import { Dialog, type DialogHost } from './Dialog.js';
import { createUasDialogState } from './DialogState.js';
import { IncomingRequest, type RespondInit } from './IncomingRequest.js';

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
    this.acked = new Promise((resolve) => (this.resolveAcked = resolve));
    this.incoming = new IncomingRequest(request, tx, context, { toTag: this.localTag, contact: host.contact });
    tx.onCancel(() => {
      if (this.current !== 'pending') return;
      this.current = 'cancelled';
      this.incoming.respond(487);
      this.resolveAcked(undefined);
      this.emit('cancelled');
    });
  }

  get state(): 'pending' | 'answered' | 'rejected' | 'cancelled' {
    return this.current;
  }

  /** Sends 180 Ringing (or 183 with early-media SDP). False once a final response has gone out. */
  ring(init: { status?: number; sdp?: string; headers?: Array<[string, string | number]> } = {}): boolean {
    const status = init.status ?? 180;
    if (status <= 100 || status >= 200) throw new RangeError(`IncomingInvite.ring: ${status} is not a provisional status with a tag (101-199)`);
    if (this.current !== 'pending') return false;
    return this.incoming.respond(status, { ...sdpBody(init.sdp), ...(init.headers ? { headers: init.headers } : {}) });
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
    answered.respond(200, { ...sdpBody(init.sdp), ...(init.headers ? { headers: init.headers } : {}) });
    return dialog;
  }

  /** Sends a final failure (486 Busy Here by default; 603 Decline, 480...). False when already answered, rejected or cancelled. */
  reject(status = 486, init: RespondInit = {}): boolean {
    if (status < 300 || status > 699) throw new RangeError(`IncomingInvite.reject: ${status} is not a failure status (300-699)`);
    if (this.current !== 'pending') return false;
    this.current = 'rejected';
    this.resolveAcked(undefined);
    return this.incoming.respond(status, init);
  }
}

function sdpBody(sdp: string | undefined): { body?: string; contentType?: string } {
  return sdp === undefined ? {} : { body: sdp, contentType: 'application/sdp' };
}
