import { createRequest, parseCSeq, type SipRequest } from '../message/index.js';

/**
 * A CANCEL for an INVITE this element sent (RFC 3261 §9.1): same Request-URI, Call-ID, From, To
 * and CSeq number, the INVITE's top Via only (so it carries the INVITE's branch), and its Route set.
 * Pass the INVITE after `SipStack.request` has added its Via; the stack sends such a CANCEL as is.
 *
 * @example
 * const answer = stack.request(invite, destination);
 * // ...the caller hangs up before an answer:
 * await stack.request(createCancel(invite), destination);
 */
export function createCancel(invite: SipRequest): SipRequest {
  const seq = parseCSeq(invite.headers.get('CSeq') ?? '')?.seq ?? 1;
  const headers: Array<[string, string]> = [];
  const via = invite.headers.get('Via');
  if (via !== undefined) headers.push(['Via', via]);
  headers.push(['Max-Forwards', '70']);
  for (const route of invite.headers.getAll('Route')) headers.push(['Route', route]);
  headers.push(['From', invite.headers.get('From') ?? '']);
  headers.push(['To', invite.headers.get('To') ?? '']);
  headers.push(['Call-ID', invite.headers.get('Call-ID') ?? '']);
  headers.push(['CSeq', `${seq} CANCEL`]);
  return createRequest({ method: 'CANCEL', uri: invite.uri, headers });
}
