import { parseCSeq, type SipRequest, type SipResponse } from '../message/index.js';
import type { TransportProtocol } from '../transport/index.js';
import type { DialogHost } from './Dialog.js';
import { createInDialogRequest, createUacDialogState, nextHop, tagOf } from './DialogState.js';
import { optionTags, RELIABLE_PROVISIONALS } from './reliableProvisional.js';

/**
 * The UAC's part of RFC 3262 §4: each reliable provisional response (`Require: 100rel` and an
 * RSeq) is answered with a PRACK in its early dialog (RAck: RSeq, the INVITE's CSeq, INVITE),
 * once; its retransmissions are recognised by RSeq and dropped. `seq` is the last CSeq used, so
 * the confirmed dialog goes on after the PRACKs (§12.2.1.1: CSeq grows by one per request).
 */
export class PrackSender {
  /** The last CSeq number of our requests in this call (the INVITE's, then each PRACK's). */
  seq = 0;
  /** The last RSeq acknowledged, per early dialog (the To tag). */
  private readonly last = new Map<string, number>();

  constructor(
    private readonly host: DialogHost,
    private readonly protocol: TransportProtocol,
  ) {}

  /** Whether `response` is news for the application (false for a retransmitted reliable one); PRACKs it when it is reliable. */
  receive(invite: SipRequest, response: SipResponse): boolean {
    const rseq = Number(response.headers.get('RSeq') ?? NaN);
    if (response.status === 100 || !optionTags(response, 'Require').includes(RELIABLE_PROVISIONALS) || !Number.isInteger(rseq)) return true;
    const tag = tagOf(response.headers.get('To') ?? '') ?? '';
    const last = this.last.get(tag);
    if (last !== undefined && rseq <= last) return false;
    this.last.set(tag, rseq);
    const inviteSeq = parseCSeq(invite.headers.get('CSeq') ?? '')?.seq ?? 1;
    this.seq = Math.max(this.seq, inviteSeq) + 1;
    const state = createUacDialogState(invite, response, this.protocol);
    const prack = createInDialogRequest(state, 'PRACK', this.seq, { headers: [['RAck', `${rseq} ${inviteSeq} INVITE`]] });
    const destination = nextHop(prack, this.protocol);
    if (destination === undefined) {
      this.host.warn(`PRACK: cannot route it to ${prack.uri}`);
      return true;
    }
    void this.host.stack.request(prack, destination).then((result) => {
      if (!result.ok || result.response.status >= 300) this.host.warn(`PRACK for RSeq ${rseq} failed: ${result.ok ? `${result.response.status} ${result.response.reason}` : result.reason}`);
    });
    return true;
  }
}
