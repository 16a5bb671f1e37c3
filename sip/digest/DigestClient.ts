import { randomFromPool, type RandomBytes } from '../../random/index.js';
import { formatCredentials, type DigestCredentials } from './DigestCredentials.js';
import type { DigestChallenge } from './DigestChallenge.js';
import { computeDigestResponse } from './digestAlgorithm.js';

/** How many nonces keep their nonce count; older ones are forgotten so a long-lived client stays small. */
const REMEMBERED_NONCES = 32;

export interface DigestClientOptions {
  /** cnonce source; random 16 hex digits by default (tests pin it to reproduce RFC vectors) */
  cnonce?: () => string;
  /** Where the default cnonce's bytes come from (a stack passes its own, seeded in reproducible runs). */
  random?: RandomBytes;
}

/**
 * The UAC side of RFC 3261 §22.2: answers a challenge with an Authorization (or
 * Proxy-Authorization) value. Uses qop=auth when the challenge offers it, else no qop; the nonce
 * count `nc` increases per nonce, so reusing a nonce for the next request stays valid.
 *
 * @example
 * const client = new DigestClient('101', 'secret');
 * const challenge = parseChallenge(response.headers.get('WWW-Authenticate') ?? '');
 * if (challenge) retry.headers.set('Authorization', client.authorize(challenge, 'REGISTER', 'sip:127.0.0.1'));
 */
export class DigestClient {
  readonly #username: string;
  readonly #password: string;
  readonly #cnonce: () => string;
  readonly #nonceCounts = new Map<string, number>();

  constructor(username: string, password: string, options: DigestClientOptions = {}) {
    this.#username = username;
    this.#password = password;
    const random = options.random ?? randomFromPool;
    this.#cnonce = options.cnonce ?? (() => random(8).toString('hex'));
  }

  /** The header value answering `challenge` for a request `method` to `uri` (the Request-URI). */
  authorize(challenge: DigestChallenge, method: string, uri: string): string {
    const credentials: DigestCredentials = {
      username: this.#username,
      realm: challenge.realm,
      nonce: challenge.nonce,
      uri,
      response: '',
      algorithm: challenge.algorithm,
    };
    if (challenge.qop?.includes('auth') === true) {
      credentials.qop = 'auth';
      credentials.nc = this.#nextNonceCount(challenge.nonce).toString(16).padStart(8, '0');
      credentials.cnonce = this.#cnonce();
    }
    // RFC 7616 §3.4: opaque MUST be returned unchanged.
    if (challenge.opaque !== undefined) credentials.opaque = challenge.opaque;
    credentials.response = computeDigestResponse({ ...credentials, password: this.#password, method });
    return formatCredentials(credentials);
  }

  #nextNonceCount(nonce: string): number {
    const count = (this.#nonceCounts.get(nonce) ?? 0) + 1;
    this.#nonceCounts.delete(nonce);
    this.#nonceCounts.set(nonce, count);
    if (this.#nonceCounts.size > REMEMBERED_NONCES) {
      const oldest = this.#nonceCounts.keys().next().value;
      if (oldest !== undefined) this.#nonceCounts.delete(oldest);
    }
    return count;
  }
}
