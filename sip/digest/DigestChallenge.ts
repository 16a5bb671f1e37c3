import { parseDigestParams, quoteParam } from './authParams.js';
import { parseAlgorithm, type DigestAlgorithm } from './digestAlgorithm.js';

/** One Digest challenge of a WWW-Authenticate or Proxy-Authenticate header (RFC 3261 §22.1, RFC 7616 §3.3). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm: DigestAlgorithm;
  /** the qop-options offered, e.g. ['auth', 'auth-int'] */
  qop?: string[];
  stale?: boolean;
}

/**
 * Parses a WWW-Authenticate / Proxy-Authenticate value. Returns undefined when it is not a Digest
 * challenge, lacks realm or nonce, or names an algorithm this module cannot answer (MD5-sess,
 * SHA-512-256): a client then looks at the next challenge.
 *
 * @example
 * parseChallenge('Digest realm="atlanta.com", nonce="84a4cc6f", qop="auth", algorithm=SHA-256')
 * // { realm: 'atlanta.com', nonce: '84a4cc6f', algorithm: 'SHA-256', qop: ['auth'] }
 */
export function parseChallenge(headerValue: string): DigestChallenge | undefined {
  const params = parseDigestParams(headerValue);
  if (params === undefined) return undefined;
  const realm = params.get('realm')?.value;
  const nonce = params.get('nonce')?.value;
  const algorithm = parseAlgorithm(params.get('algorithm')?.value);
  if (realm === undefined || nonce === undefined || nonce === '' || algorithm === undefined) return undefined;
  const challenge: DigestChallenge = { realm, nonce, algorithm };
  const opaque = params.get('opaque')?.value;
  if (opaque !== undefined) challenge.opaque = opaque;
  const qop = params.get('qop')?.value;
  if (qop !== undefined) challenge.qop = qop.split(',').map((q) => q.trim()).filter((q) => q !== '');
  const stale = params.get('stale')?.value;
  if (stale !== undefined) challenge.stale = stale.toLowerCase() === 'true';
  return challenge;
}

/** Formats a challenge: `Digest realm="...", nonce="...", algorithm=SHA-256, qop="auth"`. */
export function formatChallenge(c: DigestChallenge): string {
  const parts = [`realm=${quoteParam(c.realm)}`, `nonce=${quoteParam(c.nonce)}`];
  if (c.opaque !== undefined) parts.push(`opaque=${quoteParam(c.opaque)}`);
  parts.push(`algorithm=${c.algorithm}`);
  if (c.qop !== undefined && c.qop.length > 0) parts.push(`qop=${quoteParam(c.qop.join(','))}`);
  if (c.stale === true) parts.push('stale=true');
  return `Digest ${parts.join(', ')}`;
}
