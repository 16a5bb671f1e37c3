import { timingSafeEqual } from 'node:crypto';
import { IdentityHash } from '../message/IdentityHash.js';
import { IntMap } from '../message/IntMap.js';
import type { DigestChallenge } from './DigestChallenge.js';
import type { DigestCredentials } from './DigestCredentials.js';
import { computeDigestResponse, type DigestAlgorithm } from './digestAlgorithm.js';
import { NonceMac } from './NonceMac.js';
import { randomFromPool, type RandomBytes } from '../../random/index.js';

export interface DigestServerOptions {
  realm: string;
  /**
   * Offered SHA-256 first; default both. SIPp 3.6 answers only the first WWW-Authenticate and only
   * MD5 ("createAuthHeader: authentication must use MD5"), so a peer like it needs ['MD5'].
   */
  algorithms?: DigestAlgorithm[];
  /** offer qop="auth"; default true */
  qop?: boolean;
  /** how long a nonce stays valid, long enough for retransmissions and a prompt retry; default 5 min */
  nonceLifetimeMs?: number;
  now?: () => number;
  /** HMAC key for nonces; random per server by default, so nonces of another server are invalid */
  secret?: Buffer;
  /** Where nonces and the default secret come from; the pooled cryptographic source by default, a seeded one to reproduce a run. */
  random?: RandomBytes;
}

export type DigestVerdict = 'ok' | 'stale' | 'invalid' | 'malformed';

const TIMESTAMP_BYTES = 8;
const RANDOM_BYTES = 8;
const MAC_BYTES = 16;
const NONCE_BYTES = TIMESTAMP_BYTES + RANDOM_BYTES + MAC_BYTES;
/**
 * The latest nonces issued, with their issue times: a client answers a challenge within moments,
 * so most answers name one of them and are checked by a lookup instead of an HMAC (2.2% of
 * bench:sip-register's profile). An older nonce is checked by its MAC, as before.
 */
const ISSUED_MEMORY = 4096;
/** Hashes a nonce to its key in the memory of issued nonces. */
const NONCE_HASH = new IdentityHash();

/**
 * The UAS / registrar side of RFC 3261 §22: issues challenges and verifies credentials.
 *
 * Nonces carry their issue time and an HMAC over it (with the realm), so the server needs no
 * state: any nonce it signed within `nonceLifetimeMs` is accepted, which keeps retransmitted
 * and retried requests valid. It remembers the latest nonces it issued only to spare their MAC.
 * A correct response on an expired nonce is 'stale', so the caller re-challenges with
 * `stale: true` and the client retries without asking the user (RFC 7616 §3.3).
 * Nonce-count replay is not tracked. A client that ignores the offered qop and answers in the
 * RFC 2069 form is accepted: the signed nonce already bounds replay, and old phones do this.
 *
 * verify() does not see the Request-URI: a caller that wants RFC 7616 §3.4.6's check compares
 * `credentials.uri` with it.
 *
 * @example
 * const server = new DigestServer({ realm: '127.0.0.1' });
 * for (const c of server.challenge()) response.headers.append('WWW-Authenticate', formatChallenge(c));
 * server.verify(parseCredentials(auth)!, 'REGISTER', account.password); // 'ok'
 */
export class DigestServer {
  readonly #realm: string;
  readonly #algorithms: DigestAlgorithm[];
  readonly #qop: boolean;
  readonly #lifetimeMs: number;
  readonly #now: () => number;
  readonly #mac: NonceMac;
  readonly #random: RandomBytes;
  /**
   * The latest nonces issued, as a ring: each nonce and its issue time by slot, and the slot by a
   * hash of the nonce (an IntMap: a Map of strings, one in and one out per challenge, was rebuilt
   * in fresh memory every few thousand).
   */
  readonly #issued = new IntMap(ISSUED_MEMORY * 2);
  readonly #issuedNonces: Array<string | undefined> = new Array<string | undefined>(ISSUED_MEMORY);
  readonly #issuedAt = new Float64Array(ISSUED_MEMORY);
  readonly #issuedKeys = new Int32Array(ISSUED_MEMORY);
  #issuedNext = 0;

  constructor(options: DigestServerOptions) {
    const algorithms = options.algorithms ?? ['SHA-256', 'MD5'];
    if (algorithms.length === 0) throw new TypeError('DigestServer: algorithms must not be empty');
    // RFC 8760 §2.4: one challenge per algorithm, in the server's order of preference. That order is
    // the caller's choice: many deployed clients (SIPp, baresip 1.0) read only the first challenge
    // and know only MD5, so a server that must serve them lists MD5 first.
    this.#algorithms = [...new Set(algorithms)];
    this.#realm = options.realm;
    this.#qop = options.qop ?? true;
    this.#lifetimeMs = options.nonceLifetimeMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? randomFromPool;
    this.#mac = new NonceMac(options.secret ?? this.#random(32), this.#realm, TIMESTAMP_BYTES + RANDOM_BYTES);
  }

  /** One challenge per algorithm, SHA-256 first, sharing one fresh nonce. */
  challenge(options: { stale?: boolean } = {}): DigestChallenge[] {
    const nonce = this.#issueNonce();
    return this.#algorithms.map((algorithm) => {
      const c: DigestChallenge = { realm: this.#realm, nonce, algorithm };
      if (this.#qop) c.qop = ['auth'];
      if (options.stale === true) c.stale = true;
      return c;
    });
  }

  /**
   * 'ok' | 'stale' (right password, expired nonce: re-challenge with stale=true) | 'invalid'
   * (wrong password, another realm, or a nonce this server did not sign) | 'malformed'.
   */
  verify(credentials: DigestCredentials, method: string, password: string): DigestVerdict {
    const { qop, nc, cnonce } = credentials;
    if (credentials.username === '' || credentials.uri === '' || !/^[0-9a-f]+$/i.test(credentials.response)) return 'malformed';
    if (!this.#algorithms.includes(credentials.algorithm)) return 'malformed';
    if (qop !== undefined && (qop !== 'auth' || nc === undefined || !/^[0-9a-f]{8}$/i.test(nc) || cnonce === undefined || cnonce === '')) return 'malformed';
    if (credentials.realm !== this.#realm) return 'invalid';
    const issuedAt = this.#checkNonce(credentials.nonce);
    if (issuedAt === undefined) return 'invalid';
    const expected = computeDigestResponse({ algorithm: credentials.algorithm, username: credentials.username, realm: credentials.realm, password, method, uri: credentials.uri, nonce: credentials.nonce, qop, nc, cnonce });
    if (!sameHex(expected, credentials.response)) return 'invalid';
    return this.#now() - issuedAt > this.#lifetimeMs ? 'stale' : 'ok';
  }

  #issueNonce(): string {
    const issuedAt = Math.max(0, Math.floor(this.#now()));
    const bytes = Buffer.allocUnsafe(NONCE_BYTES);
    // The issue time as a 64-bit big-endian integer, written as two halves (no BigInt per nonce).
    bytes.writeUInt32BE(Math.floor(issuedAt / 2 ** 32), 0);
    bytes.writeUInt32BE(issuedAt % 2 ** 32, 4);
    this.#random(RANDOM_BYTES).copy(bytes, TIMESTAMP_BYTES);
    this.#mac.sign(bytes.subarray(0, TIMESTAMP_BYTES + RANDOM_BYTES), bytes, TIMESTAMP_BYTES + RANDOM_BYTES, MAC_BYTES);
    const nonce = bytes.toString('base64url');
    const slot = this.#issuedNext;
    if (this.#issuedNonces[slot] !== undefined) {
      const oldest = this.#issuedKeys[slot]!;
      // Let go of the hash only if no newer nonce with the same hash took it since.
      if (this.#issued.get(oldest) === slot) this.#issued.delete(oldest);
    }
    const key = NONCE_HASH.reset().add(nonce).first;
    this.#issuedNonces[slot] = nonce;
    this.#issuedAt[slot] = issuedAt;
    this.#issuedKeys[slot] = key;
    this.#issued.set(key, slot);
    this.#issuedNext = (slot + 1) % ISSUED_MEMORY;
    return nonce;
  }

  /** The issue time of a nonce this server signed, or undefined. */
  #checkNonce(nonce: string): number | undefined {
    const slot = this.#issued.get(NONCE_HASH.reset().add(nonce).first);
    if (slot !== undefined && this.#issuedNonces[slot] === nonce) return this.#issuedAt[slot];
    if (!/^[A-Za-z0-9_-]+$/.test(nonce)) return undefined;
    const bytes = Buffer.from(nonce, 'base64url');
    if (bytes.length !== NONCE_BYTES) return undefined;
    const head = bytes.subarray(0, TIMESTAMP_BYTES + RANDOM_BYTES);
    const expected = Buffer.allocUnsafe(MAC_BYTES);
    this.#mac.sign(head, expected, 0, MAC_BYTES);
    if (!timingSafeEqual(bytes.subarray(TIMESTAMP_BYTES + RANDOM_BYTES), expected)) return undefined;
    return Number(head.readBigUInt64BE());
  }
}

/**
 * Whether a response's hex digits (either case, already checked to be hex) are the lower-case
 * `expected`, in time that does not depend on where they first differ.
 */
function sameHex(expected: string, response: string): boolean {
  if (expected.length !== response.length) return false;
  let difference = 0;
  // 0x20 is the lower-case bit of A-F, and already set in 0-9 and a-f.
  for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ (response.charCodeAt(i) | 0x20);
  return difference === 0;
}
