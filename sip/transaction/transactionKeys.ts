import { parseCSeq, parseVia, type SipRequest, type SipResponse } from '../message/index.js';

/**
 * Transaction identifiers. Only RFC 3261 branches (magic cookie "z9hG4bK") are supported: the
 * RFC 2543 matching rules of §17.1.3 and §17.2.3 (comparing Request-URI, tags, Call-ID, CSeq and
 * Via) are not implemented, since no current peer needs them. A request without a branch is
 * answered with 400 by the stack.
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
  const branch = via?.params.branch;
  if (!via || !branch) return undefined;
  const upper = method.toUpperCase();
  return `${branch}|${via.host.toLowerCase()}:${via.port ?? 5060}|${upper === 'ACK' ? 'INVITE' : upper}`;
}
