import { createRequest, parseCSeq, type SipRequest, type SipResponse } from '../message/index.js';

/**
 * The ACK for a non-2xx final response, built by the INVITE client transaction (RFC 3261 §17.1.1.3):
 * same Request-URI, Call-ID, From, CSeq number and Route set as the INVITE, the To of the response
 * (with its tag), and only the INVITE's top Via, so that it matches the server transaction.
 */
export function createAck(invite: SipRequest, response: SipResponse): SipRequest {
  const seq = parseCSeq(invite.headers.get('CSeq') ?? '')?.seq ?? 1;
  const headers: Array<[string, string]> = [];
  const via = invite.headers.get('Via');
  if (via !== undefined) headers.push(['Via', via]);
  headers.push(['Max-Forwards', '70']);
  for (const route of invite.headers.getAll('Route')) headers.push(['Route', route]);
  headers.push(['From', invite.headers.get('From') ?? '']);
  headers.push(['To', response.headers.get('To') ?? invite.headers.get('To') ?? '']);
  headers.push(['Call-ID', invite.headers.get('Call-ID') ?? '']);
  headers.push(['CSeq', `${seq} ACK`]);
  return createRequest({ method: 'ACK', uri: invite.uri, headers });
}
