import { parseChallenge, type DigestChallenge, type DigestClient } from '../digest/index.js';
import type { SipResponse } from '../message/index.js';

/**
 * The credentials header answering a 401 or 407 (RFC 3261 §22.2, §22.3), preferring SHA-256 when
 * offered (RFC 8760 §2.4); undefined when the response carries no usable challenge. `challenge`
 * is returned so the caller can tell a stale nonce (retry) from refused credentials (give up).
 */
export function answerChallenge(
  response: SipResponse,
  digest: DigestClient,
  method: string,
  uri: string,
): { header: [string, string]; challenge: DigestChallenge } | undefined {
  const proxy = response.status === 407;
  const challenges = response.headers
    .getAll(proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate')
    .map(parseChallenge)
    .filter((c): c is DigestChallenge => c !== undefined);
  const challenge = challenges.find((c) => c.algorithm === 'SHA-256') ?? challenges.find((c) => c.algorithm === 'MD5');
  if (challenge === undefined) return undefined;
  return { header: [proxy ? 'Proxy-Authorization' : 'Authorization', digest.authorize(challenge, method, uri)], challenge };
}
