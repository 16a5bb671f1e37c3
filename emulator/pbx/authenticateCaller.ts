import { parseCredentials, parseNameAddr, type SipRequest } from '../../sip/index.js';
import type { AccountDirectory } from './AccountDirectory.js';
import type { Authenticator } from './Authenticator.js';

/** Out-of-dialog requests that place a call or start something on a phone's behalf: what a PBX makes its own phones prove. */
const CHALLENGED = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'MESSAGE']);

/** What the proxy does with a request before routing it. */
export type CallerVerdict =
  | { kind: 'pass' }
  /** Authenticated: forward it without our credentials (they were for us, RFC 3261 §22.3, as Kamailio's consume_credentials). */
  | { kind: 'authenticated'; username: string; realm: string }
  | { kind: 'reject'; account: string; status: number; why: string; reason?: string; headers: Array<[string, string]>; level: 'info' | 'warn' };

export interface CallerCheckOptions {
  accounts: Pick<AccountDirectory, 'has' | 'credentialsFor'>;
  authenticator: Authenticator;
  /** Whether calls from this account must be authenticated (the `challengeInvites` quirk). */
  challengeInvites: (account: string) => boolean;
}

/**
 * The `challengeInvites` quirk (RFC 3261 §22.3): an out-of-dialog INVITE (or SUBSCRIBE, REFER,
 * MESSAGE) whose From names one of the PBX's own accounts gets `407 Proxy Authentication Required`
 * until it carries that account's credentials, as Asterisk, FreePBX, 3CX, FreeSWITCH and a
 * Kamailio with `proxy_authorize` do for calls from their phones. A From that is no account (a
 * trunk, the outside world) passes, as a PBX lets in calls from its trunks. The realm is the
 * caller's domain (From host), as Kamailio's `proxy_challenge("$fd")`. Wrong credentials, or
 * credentials of another account than the From (Kamailio's `auth_check` with the From check), get
 * 403 Forbidden: the call fails at once and the log says why.
 */
export function authenticateCaller(request: SipRequest, options: CallerCheckOptions): CallerVerdict {
  if (!CHALLENGED.has(request.method) || parseNameAddr(request.headers.get('To') ?? '')?.params.tag !== undefined) return { kind: 'pass' };
  const from = parseNameAddr(request.headers.get('From') ?? '')?.uri;
  const account = from?.user;
  if (from === undefined || account === undefined || !options.accounts.has(account) || !options.challengeInvites(account)) return { kind: 'pass' };
  const realm = from.host;
  const challenge = (stale = false): Array<[string, string]> => options.authenticator.challenge(realm, { stale }).map((value) => ['Proxy-Authenticate', value]);
  const auth = options.authenticator.authenticate(request, realm, (username) => options.accounts.credentialsFor(username), 'Proxy-Authorization');
  switch (auth.kind) {
    case 'missing':
      return { kind: 'reject', account, status: 407, why: `challenged the caller "${account}" for credentials (realm "${realm}", quirk challengeInvites)`, headers: challenge(), level: 'info' };
    case 'stale':
      return { kind: 'reject', account, status: 407, why: 'nonce expired, challenged again with stale=true', headers: challenge(true), level: 'info' };
    case 'malformed':
      return { kind: 'reject', account, status: 400, why: 'the Proxy-Authorization header is not valid Digest credentials for this challenge', reason: 'Malformed Proxy-Authorization', headers: [], level: 'warn' };
    case 'unknown':
    case 'invalid':
      return { kind: 'reject', account, status: 403, why: `wrong credentials for account "${account}" in Proxy-Authorization; the caller must use the account's password (PUT /_emulator/pbx/accounts/${account})`, reason: 'Forbidden (wrong credentials)', headers: [], level: 'warn' };
    case 'ok':
      if (auth.username !== account) {
        return { kind: 'reject', account, status: 403, why: `account "${auth.username}" may not call as "${account}" (From)`, reason: 'Forbidden (credentials of another account)', headers: [], level: 'warn' };
      }
      return { kind: 'authenticated', username: auth.username, realm };
  }
}

/** Removes the Proxy-Authorization values meant for `realm`: credentials for us go no further (RFC 3261 §22.3). */
export function consumeCredentials(request: SipRequest, realm: string): void {
  const values = request.headers.getAll('Proxy-Authorization');
  if (values.length === 0) return;
  request.headers.remove('Proxy-Authorization');
  for (const value of values) if (parseCredentials(value)?.realm !== realm) request.headers.append('Proxy-Authorization', value);
}
