import type { DigestChallenge, DigestClient } from '../digest/index.js';
import { answerChallenge } from '../dialog/answerChallenge.js';
import { parseCSeq, type SipRequest, type SipResponse } from '../message/index.js';

/** What `authorizeRetry` returns: the request to send, and the challenge it answers (pass it back as `answered`). */
export interface AuthorizedRetry {
  request: SipRequest;
  challenge: DigestChallenge;
}

/**
 * The request to send again after a 401 or 407 (RFC 3261 §8.1.3.5, §22.2, §22.3): a copy of
 * `request` with the next CSeq number, the same Call-ID, From (and its tag), To, Contact and body,
 * and one `Authorization` (401) or `Proxy-Authorization` (407) answering the challenge, replacing
 * any earlier one. The ACK for the 401/407 of an INVITE is the INVITE client transaction's job
 * (§17.1.1.3), not the caller's. Send the copy with `stack.request`: our old Via on top is
 * replaced by one with a fresh branch, as a new transaction needs (§8.1.1.7).
 *
 * Undefined means "give up": the response holds no challenge the client can answer (no Digest
 * MD5/SHA-256), or it challenges again after `answered` was sent without saying the nonce went
 * stale, which is how a server refuses the credentials (§22.2: a UAC SHOULD NOT retry then).
 *
 * @example
 * let answered: DigestChallenge | undefined;
 * let result = await stack.request(invite, proxy);
 * while (result.ok && (result.response.status === 407 || result.response.status === 401)) {
 *   const retry = authorizeRetry(invite, result.response, new DigestClient('101', 'secret'), answered);
 *   if (retry === undefined) break; // refused: report result.response.status
 *   ({ request: invite, challenge: answered } = retry);
 *   result = await stack.request(invite, proxy);
 * }
 */
export function authorizeRetry(request: SipRequest, response: SipResponse, digest: DigestClient, answered?: DigestChallenge): AuthorizedRetry | undefined {
  if (response.status !== 401 && response.status !== 407) return undefined;
  const reply = answerChallenge(response, digest, request.method, request.uri);
  if (reply === undefined) return undefined;
  if (answered !== undefined && reply.challenge.stale !== true) return undefined;
  const headers = request.headers.clone();
  const seq = parseCSeq(headers.get('CSeq') ?? '')?.seq ?? 0;
  headers.set('CSeq', `${seq + 1} ${request.method}`);
  const [name, value] = reply.header;
  headers.remove(name);
  headers.append(name, value);
  return { request: { type: 'request', method: request.method, uri: request.uri, headers, body: request.body }, challenge: reply.challenge };
}
