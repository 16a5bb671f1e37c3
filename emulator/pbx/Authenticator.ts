import type { RandomBytes } from '../../random/index.js';
import { type DigestAlgorithm, type DigestCredentials, DigestServer, formatChallenge, parseCredentials, type SipRequest } from '../../sip/index.js';
import type { PbxClock } from './LocationService.js';

export interface AuthenticatorOptions {
  clock: PbxClock;
  /** Offered in WWW-Authenticate, SHA-256 first (RFC 8760). Default both. */
  algorithms?: DigestAlgorithm[];
  /** Offer qop="auth". Default true. */
  qop?: boolean;
  /** How long a nonce stays valid. Default 5 minutes on the PBX clock. */
  nonceLifetimeMs?: number;
  /** Nonces and the signing secret draw from it (the PBX stack's source). */
  random: RandomBytes;
}

/** What the credentials of a request come to. */
export type Authentication =
  /** `uri`: the credentials' digest-uri, as sent (the strictDigestUri quirk compares it). */
  | { kind: 'ok'; username: string; uri: string }
  /** No credentials for this realm: challenge. */
  | { kind: 'missing' }
  /** Right password on an expired nonce: challenge again with stale=true (RFC 7616 §3.3). */
  | { kind: 'stale'; username: string }
  | { kind: 'unknown'; username: string }
  | { kind: 'invalid'; username: string }
  | { kind: 'malformed'; username?: string };

/**
 * Digest authentication for the registrar and the proxy (RFC 3261 §22.4, RFC 7616, RFC 8760). One DigestServer
 * per realm, all sharing one secret so a nonce stays valid whichever realm object checks it; the
 * nonces are stateless (signed time stamps), so retransmissions and prompt retries stay valid.
 * The credentials' `uri` is not compared with the Request-URI (RFC 7616 §3.4.6 says SHOULD):
 * clients disagree on its exact form (port, parameters), and it is inside the hashed response anyway.
 * The `strictDigestUri` quirk (the registrar) compares it byte for byte, as Asterisk does.
 */
export class Authenticator {
  private readonly servers = new Map<string, DigestServer>();
  private readonly secret: Buffer;

  constructor(private readonly options: AuthenticatorOptions) {
    this.secret = options.random(32);
  }

  /** WWW-Authenticate values for a 401 in `realm`, one per algorithm, sharing a fresh nonce. */
  challenge(realm: string, options: { stale?: boolean } = {}): string[] {
    return this.server(realm).challenge(options).map(formatChallenge);
  }

  /**
   * Checks the request's Authorization (the registrar's; `Proxy-Authorization` for the proxy's,
   * RFC 3261 §22.3) for `realm` against every candidate password of its user.
   */
  authenticate(request: SipRequest, realm: string, passwordsFor: (username: string) => string[], header: 'Authorization' | 'Proxy-Authorization' = 'Authorization'): Authentication {
    const credentials = credentialsFor(request, realm, header);
    if (credentials === undefined) return { kind: 'missing' };
    if (credentials === 'malformed') return { kind: 'malformed' };
    const { username } = credentials;
    const passwords = passwordsFor(username);
    if (passwords.length === 0) return { kind: 'unknown', username };
    const server = this.server(realm);
    const verdicts = passwords.map((password) => server.verify(credentials, request.method, password));
    if (verdicts.includes('ok')) return { kind: 'ok', username, uri: credentials.uri };
    if (verdicts.includes('stale')) return { kind: 'stale', username };
    if (verdicts.includes('malformed')) return { kind: 'malformed', username };
    return { kind: 'invalid', username };
  }

  private server(realm: string): DigestServer {
    let server = this.servers.get(realm);
    if (server === undefined) {
      const { clock, algorithms, qop, nonceLifetimeMs, random } = this.options;
      server = new DigestServer({ realm, secret: this.secret, random, now: () => clock.now(), ...(algorithms && { algorithms }), ...(qop !== undefined && { qop }), ...(nonceLifetimeMs !== undefined && { nonceLifetimeMs }) });
      this.servers.set(realm, server);
    }
    return server;
  }
}

/**
 * The credentials meant for `realm` (RFC 3261 §22.4: a request may carry several Authorization
 * lines, one per realm); undefined when none is for us, 'malformed' when ours cannot be parsed.
 */
function credentialsFor(request: SipRequest, realm: string, header: string): DigestCredentials | 'malformed' | undefined {
  let sawUnparseable = false;
  for (const value of request.headers.getAll(header)) {
    const credentials = parseCredentials(value);
    if (credentials === undefined) {
      if (/^\s*digest\s/i.test(value)) sawUnparseable = true;
      continue;
    }
    if (credentials.realm === realm) return credentials;
  }
  return sawUnparseable ? 'malformed' : undefined;
}
