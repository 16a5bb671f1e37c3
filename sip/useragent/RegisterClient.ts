import { DigestClient, parseChallenge, type DigestChallenge } from '../digest/index.js';
import { createRequest, generateCallId, generateTag, parseNameAddr, parseUri, type SipResponse } from '../message/index.js';
import type { RequestResult, SipStack } from '../SipStack.js';
import { TransportError, type Endpoint } from '../transport/index.js';
import type { Scheduler } from './Scheduler.js';

/** Why a registration attempt failed, in the shape of the vendor's error log: a SIP code and a sentence. */
export interface RegistrationFailure {
  code: number;
  message: string;
}

export interface RegisterClientOptions {
  stack: SipStack;
  /** Where REGISTER goes (the registrar, or the outbound proxy). */
  destination: Endpoint;
  /** As the user typed it, for messages: `sip.example.com:5060 over TCP`. */
  serverLabel: string;
  username: string;
  password: string;
  /** The registrar's domain: Request-URI `sip:domain`, AOR `sip:username@domain`. */
  domain: string;
  /** Requested binding lifetime in seconds. Default 3600. */
  expires?: number;
  scheduler: Scheduler;
  /** First retry after a failure; doubles up to `maxRetryMs`. Default 5 s, max 60 s. */
  retryMs?: number;
  maxRetryMs?: number;
  onRegistered(expires: number): void;
  onFailed(failure: RegistrationFailure): void;
}

const headerValue = (r: SipResponse, name: string) => r.headers.get(name);

/**
 * A registration user agent client (RFC 3261 §10.2): registers, answers digest challenges
 * (RFC 3261 §22.2, RFC 8760), refreshes before the binding expires, retries with backoff after a
 * failure, and unregisters (Expires: 0) on stop.
 */
export class RegisterClient {
  private readonly callId: string;
  private readonly fromTag: string;
  private readonly digest: DigestClient;
  private cseq = 0;
  private expires: number;
  private retryMs: number;
  private timer: unknown;
  private stopped = false;
  private registered = false;

  constructor(private readonly options: RegisterClientOptions) {
    this.callId = generateCallId(undefined, options.stack.random);
    this.fromTag = generateTag(options.stack.random);
    this.digest = new DigestClient(options.username, options.password, { random: options.stack.random });
    this.expires = options.expires ?? 3600;
    this.retryMs = options.retryMs ?? 5000;
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  /** The Contact we register: where the registrar's proxy sends calls for this account. */
  get contact(): string {
    const { stack, destination, username } = this.options;
    return `<sip:${username}@${stack.viaHost(destination.protocol)};transport=${destination.protocol.toLowerCase()}>`;
  }

  start(): void {
    void this.attempt();
  }

  /** Stops refreshing; with `unregister`, removes the binding first (best effort: failures are ignored). */
  async stop({ unregister }: { unregister: boolean }): Promise<void> {
    this.stopped = true;
    this.options.scheduler.clearTimeout(this.timer);
    if (unregister && this.registered) await this.register(0);
    this.registered = false;
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const outcome = await this.register(this.expires);
    if (this.stopped) return;
    if ('granted' in outcome) {
      this.registered = true;
      this.retryMs = this.options.retryMs ?? 5000;
      this.options.onRegistered(outcome.granted);
      // Refresh well before expiry; short bindings still leave the registrar a moment.
      const refreshIn = Math.max(1, outcome.granted - Math.min(outcome.granted / 5, 30)) * 1000;
      this.timer = this.options.scheduler.setTimeout(() => void this.attempt(), refreshIn);
      return;
    }
    this.registered = false;
    this.options.onFailed(outcome);
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.options.maxRetryMs ?? 60_000);
    this.timer = this.options.scheduler.setTimeout(() => void this.attempt(), delay);
  }

  /** One REGISTER transaction, plus the challenge round and the 423 round it may need. */
  private async register(expires: number): Promise<{ granted: number } | RegistrationFailure> {
    const { serverLabel } = this.options;
    let authorization: { header: string; value: string } | undefined;
    let answeredChallenge: DigestChallenge | undefined;
    let intervalRetried = false;
    for (let round = 0; round < 4; round++) {
      const result = await this.send(expires, authorization);
      if (!result.ok) {
        return result.reason === 'timeout'
          ? { code: 408, message: `SIP registration failed: 408 Request Timeout (no answer from ${serverLabel})` }
          : { code: 503, message: `SIP registration failed: 503 cannot reach ${serverLabel}: ${result.error instanceof TransportError ? result.error.explanation : (result.error?.message ?? 'transport error')}` };
      }
      const { response } = result;
      if (response.status >= 200 && response.status < 300) return { granted: expires === 0 ? 0 : this.grantedExpires(response, expires) };
      if (response.status === 401 || response.status === 407) {
        const header = response.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
        const challenge = this.pickChallenge(response.headers.getAll(header));
        // A second challenge for the same credentials means they were refused, unless the nonce was only stale.
        if (!challenge || (answeredChallenge && !challenge.stale)) return this.failure(response);
        answeredChallenge = challenge;
        authorization = {
          header: response.status === 401 ? 'Authorization' : 'Proxy-Authorization',
          value: this.digest.authorize(challenge, 'REGISTER', this.requestUri),
        };
        continue;
      }
      if (response.status === 423 && !intervalRetried) {
        const min = Number(headerValue(response, 'Min-Expires'));
        if (Number.isInteger(min) && min > 0) {
          intervalRetried = true;
          expires = min;
          this.expires = min;
          continue;
        }
      }
      return this.failure(response);
    }
    return { code: 500, message: `SIP registration failed: ${serverLabel} kept challenging without accepting the credentials` };
  }

  /** One string for the Request-URI and the digest uri: strict registrars (Asterisk) compare them byte for byte. */
  private get requestUri(): string {
    return `sip:${this.options.domain}`;
  }

  private failure(response: SipResponse): RegistrationFailure {
    return { code: response.status, message: `SIP registration failed: ${response.status} ${response.reason}` };
  }

  private send(expires: number, authorization?: { header: string; value: string }): Promise<RequestResult> {
    const { username, domain, destination, stack } = this.options;
    const aor = `<sip:${username}@${domain}>`;
    const request = createRequest({
      method: 'REGISTER',
      uri: this.requestUri,
      headers: [
        ['From', `${aor};tag=${this.fromTag}`],
        ['To', aor],
        ['Call-ID', this.callId],
        ['CSeq', `${++this.cseq} REGISTER`],
        ['Contact', this.contact],
        ['Expires', expires],
        ['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY'],
        ...(authorization ? [[authorization.header, authorization.value] as [string, string]] : []),
      ],
    });
    return stack.request(request, destination);
  }

  /** The lifetime the registrar granted our contact: its `expires` param, else the Expires header (§10.2.4). */
  private grantedExpires(response: SipResponse, requested: number): number {
    const ours = parseUri(this.contact.slice(1, -1));
    for (const value of response.headers.getAll('Contact')) {
      const contact = parseNameAddr(value);
      if (!contact || !ours) continue;
      if (contact.uri.user === ours.user && contact.uri.host === ours.host && contact.uri.port === ours.port) {
        const expires = Number(contact.params.expires);
        if (Number.isFinite(expires) && expires > 0) return expires;
      }
    }
    const header = Number(headerValue(response, 'Expires'));
    return Number.isFinite(header) && header > 0 ? header : requested;
  }

  /** RFC 8760 §2.4: prefer SHA-256 when the server offers it. */
  private pickChallenge(values: string[]): DigestChallenge | undefined {
    const challenges = values.map(parseChallenge).filter((c): c is DigestChallenge => c !== undefined);
    return challenges.find((c) => c.algorithm === 'SHA-256') ?? challenges.find((c) => c.algorithm === 'MD5');
  }
}
