import type { RandomBytes } from '../../random/index.js';
import { parseCSeq, parseNameAddr, type RequestContext, type ServerTransaction, type SipRequest } from '../../sip/index.js';
import type { Logger } from '../core/logger.js';
import type { AccountDirectory } from './AccountDirectory.js';
import type { Authenticator } from './Authenticator.js';
import type { Binding, LocationService, LocationUpdate, PbxClock } from './LocationService.js';
import { PBX_ALLOW, pbxResponse } from './pbxResponse.js';
import type { EffectiveQuirks, QuirkEvent } from './quirks.js';
import { readContacts, type ExpiryPolicy } from './readContacts.js';

export interface RegistrarOptions {
  accounts: AccountDirectory;
  location: LocationService;
  authenticator: Authenticator;
  clock: PbxClock;
  logger: Logger;
  policy: ExpiryPolicy;
  /** The To tags of the registrar's responses draw from it (the PBX stack's source). */
  random: RandomBytes;
  /** The quirks in force for an account (none by default). */
  quirksFor?: (username: string | undefined) => EffectiveQuirks;
  /** A quirk changed the answer (the journal's `pbx.quirk`). */
  onQuirk?: (event: QuirkEvent) => void;
}

const STATELESS = { stateless: true };

/** A registrar that has none: what a trunk-only port of a PBX answers (the `registerRejected` quirk). */
const NO_REGISTRAR_ALLOW = PBX_ALLOW.split(', ').filter((method) => method !== 'REGISTER').join(', ');

/**
 * The registrar of RFC 3261 §10.3. It serves every domain (DESIGN.md): the Request-URI's domain is
 * not checked, and accounts are keyed by user name alone.
 */
export class Registrar {
  constructor(private readonly options: RegistrarOptions) {}

  handle(request: SipRequest, tx: ServerTransaction, context: RequestContext): void {
    const { accounts, authenticator, logger } = this.options;
    const to = parseNameAddr(request.headers.get('To') ?? '');
    const aorUser = to?.uri.user;
    const label = `REGISTER ${aorUser ?? '?'}@${to?.uri.host ?? '?'} from ${context.source.address}:${context.source.port}/${context.source.protocol}`;
    // A challenge (401) is sent once and forgotten, as RFC 3261 §26.3.2.4 asks for unauthenticated
    // requests and Kamailio's www_challenge does: no transaction kept for Timer J's 32 s, so the
    // memory of a REGISTER flood is half what it was; a retransmitted REGISTER is challenged anew.
    const answer = (status: number, reason?: string, headers: Array<[string, string | number]> = []): void =>
      tx.respond(pbxResponse(this.options.random, request, status, reason, headers), status === 401 ? STATELESS : undefined);
    // Why rejected, for the log; the response's reason phrase stays the standard one where clients match on it.
    const reject = (status: number, why: string, reason?: string, headers: Array<[string, string | number]> = [], level: 'info' | 'warn' = 'info'): void => {
      logger[level](`${label} → ${status}: ${why}`);
      answer(status, reason, headers);
    };
    if (to === undefined) return reject(400, 'unparseable To header', 'Invalid To');
    const quirks = this.options.quirksFor?.(aorUser) ?? {};
    const sipCallId = request.headers.get('Call-ID') ?? '';
    const quirk = (name: QuirkEvent['quirk'], text: string): void => this.options.onQuirk?.({ quirk: name, account: aorUser ?? null, text, sipCallId });
    if (quirks.registerRejected !== undefined) {
      const status = quirks.registerRejected;
      quirk('registerRejected', `REGISTER answered ${status} ${status === 405 ? 'Method Not Allowed' : 'Not Implemented'}: no registrar on this port`);
      return reject(status, `quirk registerRejected: this port has no registrar (a trunk-only port)`, undefined, status === 405 ? [['Allow', NO_REGISTRAR_ALLOW]] : []);
    }

    // The realm is the request's domain (To host), as Kamailio's www_challenge("$td") does: it is
    // the domain the user typed next to the password (the connection's `domain`), which softphones
    // show and some use to pick credentials; the PBX serves every domain, so it has no realm of its own.
    const realm = to.uri.host;
    const challenge = (stale = false): Array<[string, string]> => authenticator.challenge(realm, { stale }).map((value) => ['WWW-Authenticate', value]);
    const auth = authenticator.authenticate(request, realm, (username) => accounts.credentialsFor(username));
    switch (auth.kind) {
      case 'missing':
        return reject(401, `challenged for credentials (realm "${realm}")`, undefined, challenge());
      case 'malformed':
        return reject(400, 'the Authorization header is not valid Digest credentials for this challenge', 'Malformed Authorization', [], 'warn');
      case 'unknown':
        return reject(403, `no account "${auth.username}"; add it with PUT /_emulator/pbx/accounts/${auth.username} or create a SIP connection with that username`, 'Unknown account', [], 'warn');
      case 'invalid':
        // A fresh challenge rather than 403, as Kamailio does: the vendor's error log shows "401 Unauthorized" for bad credentials.
        return reject(401, `wrong password for account "${auth.username}"; check the connection's password or the account set through /_emulator/pbx/accounts`, undefined, challenge(), 'warn');
      case 'stale':
        return reject(401, 'nonce expired, challenged again with stale=true', undefined, challenge(true));
      case 'ok':
        break;
    }
    // Asterisk's chan_pjsip and FreeSWITCH compare the digest uri with the Request-URI as strings.
    if (quirks.strictDigestUri && auth.uri !== request.uri) {
      quirk('strictDigestUri', `REGISTER refused with 401: digest uri "${auth.uri}" is not the Request-URI "${request.uri}"`);
      return reject(401, `quirk strictDigestUri: the digest uri "${auth.uri}" differs from the Request-URI "${request.uri}"; a strict PBX answers 401 again`, undefined, challenge());
    }
    // Asterisk (endpoint identified by username) and 3CX: the From user must be the authentication user.
    const fromUser = parseNameAddr(request.headers.get('From') ?? '')?.uri.user;
    if (quirks.fromMustMatchAuthUser && fromUser !== auth.username) {
      quirk('fromMustMatchAuthUser', `REGISTER refused with 403: From user "${fromUser ?? ''}" is not the authentication user "${auth.username}"`);
      return reject(403, `quirk fromMustMatchAuthUser: From user "${fromUser ?? ''}" is not the authentication username "${auth.username}"`, undefined, [], 'warn');
    }
    // §10.3 step 4: the authenticated user may only change its own bindings.
    if (auth.username !== aorUser) {
      return reject(403, `account "${auth.username}" may not register address-of-record "${aorUser ?? ''}"`, 'Not Authorized For This Address-of-Record', [], 'warn');
    }
    this.bind(request, aorUser, context, label, reject, answer);
  }

  /** §10.3 steps 6-8: apply the Contacts and answer 200 with every current binding. */
  private bind(
    request: SipRequest,
    username: string,
    context: RequestContext,
    label: string,
    reject: (status: number, why: string, reason?: string, headers?: Array<[string, string | number]>) => void,
    answer: (status: number, reason?: string, headers?: Array<[string, string | number]>) => void,
  ): void {
    const { location, logger, policy, clock } = this.options;
    const contacts = readContacts(request, policy);
    if (contacts.kind === 'reject') return reject(contacts.status, contacts.reason.toLowerCase(), contacts.reason);
    if (contacts.kind === 'too-brief') return reject(423, `requested lifetime below ${contacts.minExpires} s`, undefined, [['Min-Expires', contacts.minExpires]]);

    const callId = request.headers.get('Call-ID') ?? '';
    const cseq = parseCSeq(request.headers.get('CSeq') ?? '')?.seq ?? 0;
    const result: LocationUpdate =
      contacts.kind === 'remove-all'
        ? location.removeAll(username, { callId, cseq })
        : contacts.kind === 'update'
          ? location.update(username, contacts.contacts, { callId, cseq, transport: context.source.protocol, source: context.source, flowId: context.flowId })
          : { ok: true, bindings: location.bindings(username) };
    if (!result.ok) {
      // §10.3 step 7 says only that the request fails; 500 (not 400) because the request itself is well formed, it is just older than the binding.
      return reject(500, `CSeq ${cseq} is not above that of the binding ${result.contact} for the same Call-ID (out of order)`, 'Out Of Order CSeq');
    }
    const now = clock.now();
    const headers: Array<[string, string | number]> = result.bindings.map((b) => ['Contact', formatBinding(b, now)]);
    // §10.3 step 8: the response SHOULD include a Date header.
    headers.push(['Date', httpDate(now)]);
    answer(200, undefined, headers);
    if (contacts.kind === 'fetch') return;
    logger.info(`${label} → 200, ${describeChange(contacts.kind === 'remove-all' ? [] : contacts.contacts.map((c) => c.expires))}`);
  }
}

/** The Date header's text, made once a second (a busy registrar answers thousands of REGISTERs in one). */
let dateSecond = Number.NaN;
let dateText = '';
function httpDate(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

function formatBinding(binding: Binding, now: number): string {
  const expires = Math.max(0, Math.round((binding.expiresAt - now) / 1000));
  return `<${binding.contact}>;expires=${expires}${binding.q === undefined ? '' : `;q=${binding.q}`}`;
}

function describeChange(expires: number[]): string {
  if (expires.length === 0) return 'all bindings removed';
  if (expires.length === 1) return `expires ${expires[0]}`;
  return `expires ${expires.join(', ')} (${expires.length} contacts)`;
}
