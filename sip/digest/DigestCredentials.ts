import { parseDigestParams, quoteParam } from './authParams.js';
import { parseAlgorithm, type DigestAlgorithm } from './digestAlgorithm.js';

/** The Digest credentials of an Authorization or Proxy-Authorization header (RFC 3261 §22.2, RFC 7616 §3.4). */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: DigestAlgorithm;
  cnonce?: string;
  /** nonce count, 8 hex digits */
  nc?: string;
  qop?: string;
  opaque?: string;
}

/**
 * Parses an Authorization / Proxy-Authorization value. Returns undefined when it is not Digest,
 * misses a required field, names an unsupported algorithm, or has qop without nc and cnonce
 * (RFC 2617 §3.2.2: both MUST be sent with qop).
 */
export function parseCredentials(headerValue: string): DigestCredentials | undefined {
  const params = parseDigestParams(headerValue);
  if (params === undefined) return undefined;
  const get = (name: string) => params.get(name)?.value;
  const username = get('username');
  const realm = get('realm');
  const nonce = get('nonce');
  const uri = get('uri');
  const response = get('response');
  const algorithm = parseAlgorithm(get('algorithm'));
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined || algorithm === undefined) {
    return undefined;
  }
  const credentials: DigestCredentials = { username, realm, nonce, uri, response, algorithm };
  const qop = get('qop');
  const nc = get('nc');
  const cnonce = get('cnonce');
  if (qop !== undefined && (nc === undefined || cnonce === undefined)) return undefined;
  if (qop !== undefined) credentials.qop = qop;
  if (nc !== undefined) credentials.nc = nc;
  if (cnonce !== undefined) credentials.cnonce = cnonce;
  const opaque = get('opaque');
  if (opaque !== undefined) credentials.opaque = opaque;
  return credentials;
}

/** Formats credentials; qop and nc are unquoted tokens, as RFC 2617 §3.2.2 has them (some servers reject quotes). */
export function formatCredentials(c: DigestCredentials): string {
  const parts = [
    `username=${quoteParam(c.username)}`,
    `realm=${quoteParam(c.realm)}`,
    `nonce=${quoteParam(c.nonce)}`,
    `uri=${quoteParam(c.uri)}`,
    `response=${quoteParam(c.response)}`,
    `algorithm=${c.algorithm}`,
  ];
  if (c.cnonce !== undefined) parts.push(`cnonce=${quoteParam(c.cnonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quoteParam(c.opaque)}`);
  if (c.qop !== undefined) parts.push(`qop=${c.qop}`);
  if (c.nc !== undefined) parts.push(`nc=${c.nc}`);
  return `Digest ${parts.join(', ')}`;
}
