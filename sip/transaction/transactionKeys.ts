import { parseCSeq, parseVia, readNameAddrParams, type SipRequest, type SipResponse } from '../message/index.js';

/**
 * Transaction identifiers. Client transactions always use our own RFC 3261 branches. Server
 * transactions use the branch when it is an RFC 3261 one (magic cookie "z9hG4bK" followed by an
 * identifier), and otherwise fall back to the RFC 2543 matching rules of §17.2.3, so a request
 * from an RFC 2543 peer (no branch, RFC 4475 §3.4.1) or with a bare cookie (§3.2.1) is still
 * served, and its retransmissions are absorbed.
 */
export const MAGIC_COOKIE = 'z9hG4bK';

/** RFC 3261 §17.1.3: a client transaction is identified by its branch and its CSeq method. */
export function clientTransactionKey(branch: string, method: string): string {
  return `${branch}|${method.toUpperCase()}`;
}

/** The client transaction a response belongs to (top Via branch + CSeq method), or undefined when it cannot be read. */
export function responseTransactionKey(response: SipResponse): string | undefined {
  const via = parseVia(response.headers.get('Via') ?? '');
  const cseq = parseCSeq(response.headers.get('CSeq') ?? '');
  const branch = via?.params.branch;
  if (!branch || cseq === undefined) return undefined;
  return clientTransactionKey(branch, cseq.method);
}

/**
 * RFC 3261 §17.2.3: a server transaction is identified by the top Via branch, the top Via sent-by,
 * and the method, where ACK matches the INVITE it acknowledges; CANCEL is a transaction of its own.
 * `method` overrides the request's own method, to find the INVITE a CANCEL targets (§9.2).
 */
export function serverTransactionKey(request: SipRequest, method = request.method): string | undefined {
  const via = parseVia(request.headers.get('Via') ?? '');
  if (!via) return undefined;
  const branch = via.params.branch;
  const upper = method.toUpperCase();
  const txMethod = upper === 'ACK' ? 'INVITE' : upper;
  const sentBy = `${via.host.toLowerCase()}:${via.port ?? 5060}`;
  if (branch && branch.startsWith(MAGIC_COOKIE) && branch.length > MAGIC_COOKIE.length) return `${branch}|${sentBy}|${txMethod}`;
  return rfc2543Key(request, txMethod, `${via.transport} ${sentBy};branch=${branch ?? ''}`);
}

/**
 * RFC 3261 §17.2.3, for requests without an RFC 3261 branch: the Request-URI, From tag, Call-ID,
 * CSeq number, top Via and method of the request that created the transaction; the To tag too,
 * except for INVITE, whose ACK carries the tag of our response (and whose CANCEL, §9.2, none).
 */
function rfc2543Key(request: SipRequest, txMethod: string, topVia: string): string | undefined {
  const cseq = parseCSeq(request.headers.get('CSeq') ?? '');
  if (cseq === undefined) return undefined;
  const fromTag = readNameAddrParams(request.headers.get('From') ?? '')?.tag ?? '';
  const toTag = txMethod === 'INVITE' ? '' : (readNameAddrParams(request.headers.get('To') ?? '')?.tag ?? '');
  const callId = request.headers.get('Call-ID') ?? '';
  return `2543|${request.uri}|${fromTag}|${toTag}|${callId}|${cseq.seq}|${txMethod}|${topVia}`;
}
