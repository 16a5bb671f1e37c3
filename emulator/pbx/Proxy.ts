import {
  formatUri,
  parseNameAddr,
  parseUri,
  parseVia,
  type RequestContext,
  type ServerTransaction,
  type SipRequest,
  type SipResponse,
  type SipStack,
  type SipUri,
  type TransportProtocol,
} from '../../sip/index.js';
import type { Logger } from '../core/logger.js';
import type { AccountDirectory } from './AccountDirectory.js';
import { authenticateCaller, consumeCredentials } from './authenticateCaller.js';
import type { Authenticator } from './Authenticator.js';
import { DtmfQuirkCalls, type DtmfMode } from './dtmfQuirk.js';
import { checkSessionInterval, type SessionTimersQuirk } from './sessionTimersQuirk.js';
import type { LocationService } from './LocationService.js';
import { describeHop, nextHopForBinding, nextHopForUri, type NextHop } from './nextHop.js';
import { pbxResponse } from './pbxResponse.js';
import { ProxyBranch } from './ProxyBranch.js';
import { ProxyQuirks } from './proxyQuirks.js';
import type { EffectiveQuirks, QuirkEvent } from './quirks.js';
import { serves } from './serves.js';

export interface ProxyOptions {
  stack: SipStack;
  accounts: AccountDirectory;
  location: LocationService;
  logger: Logger;
  /** RFC 3261 T1 of the stack, ms. */
  T1: number;
  /** Timer C, ms; default 181 s (§16.6 step 11: it MUST be greater than 3 minutes). */
  timerC?: number;
  /** Checks the credentials of calls from our own accounts (407) under the `challengeInvites` quirk. */
  authenticator?: Authenticator;
  /** The quirks in force for an account (none by default), and where one that acted is reported. */
  quirksFor?: (username: string | undefined) => EffectiveQuirks;
  onQuirk?: (event: QuirkEvent) => void;
}

/** Requests that create a dialog: the proxy record-routes them so the whole call comes through it. */
const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);

type Target = { ok: true; uri: string; hop: NextHop } | { ok: false; status: number; reason?: string; why: string };

/**
 * The stateful, record-routing proxy of RFC 3261 §16. An out-of-dialog request for one of our
 * accounts goes to its most recently refreshed binding (no parallel forking: one target keeps the
 * call flow readable, and every softphone here registers one contact). In-dialog requests follow
 * their Route set (loose routing, §16.4), so calls work across mixed UDP and TCP legs.
 */
export class Proxy {
  private readonly branches = new Set<ProxyBranch>();
  private readonly timerC: number;
  private readonly quirks: ProxyQuirks;
  private readonly dtmf: DtmfQuirkCalls;

  /** Forwarded requests still waiting for their final response (read-only, for diagnostics). */
  get branchCount(): number {
    return this.branches.size;
  }

  constructor(private readonly options: ProxyOptions) {
    this.timerC = options.timerC ?? 181_000;
    this.quirks = new ProxyQuirks({
      stack: options.stack,
      quirksFor: options.quirksFor ?? (() => ({})),
      onQuirk: options.onQuirk ?? (() => {}),
      designatesUs: (uri) => this.designatesUs(uri),
      T1: options.T1,
    });
    this.dtmf = new DtmfQuirkCalls((account) => this.quirksOf(account).dtmf);
  }

  /** Forwards a request statefully, answering the caller when it cannot (404, 480, 483, 420...). */
  forward(request: SipRequest, tx: ServerTransaction, context: RequestContext): void {
    const label = `${request.method} ${request.uri} from ${context.source.address}:${context.source.port}/${context.source.protocol}`;
    const reject = (status: number, why: string, reason?: string, headers: Array<[string, string]> = []): void => {
      this.options.logger.info(`${label} → ${status}: ${why}`);
      tx.respond(pbxResponse(this.options.stack.random, request, status, reason, headers));
    };
    // §16.3 step 3: Max-Forwards 0 means the request may go no further.
    const maxForwards = readMaxForwards(request);
    if (maxForwards === undefined) return reject(400, 'Max-Forwards is not a number', 'Invalid Max-Forwards');
    if (maxForwards <= 0) return reject(483, 'Max-Forwards reached 0');
    // §16.3 step 5: we support no extension a proxy must understand.
    const proxyRequire = request.headers.getAll('Proxy-Require');
    if (proxyRequire.length > 0) return reject(420, `unsupported Proxy-Require: ${proxyRequire.join(', ')}`, undefined, [['Unsupported', proxyRequire.join(', ')]]);

    if (hasToTag(request) && this.quirkAnswers(request, tx, context, reject)) return;

    const { authenticator } = this.options;
    const challengeInvites = (account: string): boolean => this.quirksOf(account).challengeInvites === true;
    const caller = authenticator ? authenticateCaller(request, { accounts: this.options.accounts, authenticator, challengeInvites }) : { kind: 'pass' as const };
    if (caller.kind === 'reject') {
      if (caller.level === 'warn') this.options.logger.warn(`${label} → ${caller.status}: ${caller.why}`);
      else this.options.logger.info(`${label} → ${caller.status}: ${caller.why}`);
      const callId = request.headers.get('Call-ID');
      this.options.onQuirk?.({ quirk: 'challengeInvites', account: caller.account, text: `${request.method} from ${caller.account} answered ${caller.status}: ${caller.why}`, ...(callId !== undefined && { sipCallId: callId }) });
      return void tx.respond(pbxResponse(this.options.stack.random, request, caller.status, caller.reason, caller.headers));
    }

    if (this.dtmf.swallows(request)) {
      this.quirk('dtmf', request, `INFO (DTMF) answered 200 by the PBX and not relayed (dtmf: rfc4733Only)`);
      return void tx.respond(pbxResponse(this.options.stack.random, request, 200));
    }
    if (request.method === 'INVITE' && !hasToTag(request) && this.dtmf.start(request) === 'infoOnly') this.quirk('dtmf', request, 'telephone-event removed from the SDP the PBX relays in this call (dtmf: infoOnly)');

    const forwarded = prepareForwarding(request, maxForwards, (uri) => this.isRecordRouteUri(uri), (uri) => this.designatesUs(uri));
    if (caller.kind === 'authenticated') consumeCredentials(forwarded, caller.realm);
    const timers = request.method === 'INVITE' && !hasToTag(request) ? this.sessionTimersOf(request) : undefined;
    const interval = timers === undefined ? ({ kind: 'pass' } as const) : checkSessionInterval(forwarded, timers);
    if (interval.kind === 'reject') {
      this.quirk('sessionTimers', request, `INVITE answered 422 Session Interval Too Small, Min-SE ${interval.minSE}: ${interval.why}`);
      return reject(422, interval.why, undefined, [['Min-SE', String(interval.minSE)]]);
    }
    if (interval.kind === 'lowered') this.quirk('sessionTimers', request, `Session-Expires lowered from ${interval.from} to ${interval.to} s (quirk sessionTimers)`);
    forwarded.body = this.dtmf.relayedBody(forwarded);
    if (request.method === 'BYE') this.dtmf.end(request.headers.get('Call-ID') ?? '');
    const target = this.target(forwarded);
    if (!target.ok) return reject(target.status, target.why, target.reason);
    forwarded.uri = target.uri;
    let ourRoutes = 0;
    if (DIALOG_CREATING.has(request.method) && !hasToTag(request)) {
      ourRoutes = this.recordRoute(forwarded, context.source.protocol, target.hop.destination.protocol);
      if (this.quirks.quirksOf(request).extraProxyHop) {
        this.quirks.sbcRecordRoute(forwarded, this.recordRouteValue(target.hop.destination.protocol));
        this.options.onQuirk?.({ quirk: 'extraProxyHop', account: parseNameAddr(request.headers.get('To') ?? '')?.uri.user ?? null, text: `${request.method} record-routed by two hops (an SBC's Record-Route on top of the PBX's)`, sipCallId: request.headers.get('Call-ID') ?? '' });
        ourRoutes += 1;
      } else ourRoutes = 0;
    }
    this.quirks.observe(request, ourRoutes);

    if (!hasToTag(request)) this.options.logger.info(`${label} → forwarded to ${target.uri} (${describeHop(target.hop)})`);
    const branch = new ProxyBranch(tx, forwarded, target.hop, {
      stack: this.options.stack,
      logger: this.options.logger,
      T1: this.options.T1,
      timerC: this.timerC,
      label,
      relayedBody: (response) => this.dtmf.relayedBody(response),
      done: () => this.branches.delete(branch),
    });
    this.branches.add(branch);
    branch.start();
  }

  /**
   * In-dialog requests a quirk answers itself (proxyQuirks.ts): a Route set that does not pass the
   * SBC hop (403), or a REFER the PBX takes as a B2BUA (202, then one NOTIFY 100 Trying or none).
   */
  private quirkAnswers(request: SipRequest, tx: ServerTransaction, context: RequestContext, reject: (status: number, why: string, reason?: string) => void): boolean {
    const sipCallId = request.headers.get('Call-ID') ?? '';
    const account = parseNameAddr(request.headers.get('From') ?? '')?.uri.user ?? null;
    const problem = this.quirks.routeProblem(request);
    if (problem !== undefined) {
      this.options.onQuirk?.({ quirk: 'extraProxyHop', account, text: `${request.method} refused with 403: ${problem}`, sipCallId });
      reject(403, `quirk extraProxyHop: ${problem}`, 'Forbidden (Route Set)');
      return true;
    }
    const refer = request.method === 'REFER' ? this.quirks.quirksOf(request).refer : undefined;
    if (refer === undefined) return false;
    const target = request.headers.get('Refer-To') ?? '';
    tx.respond(pbxResponse(this.options.stack.random, request, 202));
    const what = refer === 'noNotify' ? 'and will send no NOTIFY' : 'and will send NOTIFY 100 Trying, never a final one';
    this.options.onQuirk?.({ quirk: 'refer', account, text: `REFER to ${target} answered 202 by the PBX itself (as a B2BUA), ${what}`, sipCallId });
    this.options.logger.info(`REFER ${request.uri} → 202 from the PBX itself: quirk refer ${refer}`);
    if (refer === 'noFinalNotify') void this.quirks.notifyTrying(request, context);
    return true;
  }

  /** An ACK for a 2xx is a transaction of its own: forwarded statelessly (§16.11), never answered. */
  forwardAck(request: SipRequest): void {
    const maxForwards = readMaxForwards(request);
    if (maxForwards === undefined || maxForwards <= 0) return;
    const forwarded = prepareForwarding(request, maxForwards, (uri) => this.isRecordRouteUri(uri), (uri) => this.designatesUs(uri));
    const target = this.target(forwarded);
    if (!target.ok) {
      this.options.logger.info(`ACK ${request.uri} dropped: ${target.why}`);
      return;
    }
    forwarded.uri = target.uri;
    forwarded.body = this.dtmf.relayedBody(forwarded);
    const { stack, logger } = this.options;
    stack.prependVia(forwarded, target.hop.destination.protocol);
    stack.sendStateless(forwarded, target.hop.destination, target.hop.flowId).catch((error: unknown) => {
      logger.warn(`ACK ${request.uri} could not be forwarded to ${describeHop(target.hop)}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /**
   * A 2xx for an INVITE whose client transaction has ended (after Timer M): forwarded statelessly
   * to the next Via (§16.11 / §18.2.2), so the caller can still ACK it.
   */
  forwardStrayResponse(response: SipResponse): void {
    const headers = response.headers.clone();
    headers.removeFirst('Via');
    const via = parseVia(headers.get('Via') ?? '');
    if (via === undefined) return;
    const protocol: TransportProtocol = via.transport === 'TCP' ? 'TCP' : 'UDP';
    const rport = via.params.rport ? Number(via.params.rport) : undefined;
    const destination = { protocol, address: via.params.received ?? via.host, port: rport ?? via.port ?? 5060 };
    this.options.stack.sendStateless({ ...response, headers }, destination).catch(() => undefined);
  }

  private quirksOf(account: string): EffectiveQuirks {
    return this.options.quirksFor?.(account) ?? {};
  }

  /** The caller's account's quirk, else the callee's. */
  private sessionTimersOf(request: SipRequest): SessionTimersQuirk | undefined {
    const of = (account: string): SessionTimersQuirk | undefined => this.quirksOf(account).sessionTimers;
    const caller = parseNameAddr(request.headers.get('From') ?? '')?.uri.user;
    const callee = parseUri(request.uri)?.user;
    return (caller === undefined ? undefined : of(caller)) ?? (callee === undefined ? undefined : of(callee));
  }

  private quirk(quirk: 'dtmf' | 'sessionTimers', request: SipRequest, text: string): void {
    const callId = request.headers.get('Call-ID');
    const account = parseNameAddr(request.headers.get('From') ?? '')?.uri.user ?? null;
    this.options.onQuirk?.({ quirk, account, text, ...(callId !== undefined && { sipCallId: callId }) });
  }

  /** Whether a URI names this proxy: our address and port (what we put in Record-Route), or any name we serve. */
  designatesUs(uri: SipUri): boolean {
    return serves(uri.host) || this.isRecordRouteUri(uri);
  }

  /** Our address and one of our ports: the URIs we put in Record-Route. */
  private isRecordRouteUri(uri: SipUri): boolean {
    const transport = this.options.stack.transport;
    const port = uri.port ?? 5060;
    return uri.host.toLowerCase() === transport.address.toLowerCase() && (port === transport.udpPort || port === transport.tcpPort);
  }

  /** Stops every pending branch's timers; the stack's close ends their transactions. */
  close(): void {
    for (const branch of [...this.branches]) branch.stop();
  }

  /** §16.5: the target: the top Route after ours, else the Request-URI, looked up in the location service when it is in our domain. */
  private target(request: SipRequest): Target {
    const route = request.headers.get('Route');
    if (route !== undefined) {
      const next = parseNameAddr(route);
      if (next === undefined) return { ok: false, status: 400, reason: 'Invalid Route', why: `unparseable Route ${route}` };
      return this.reachable({ ok: true, uri: request.uri, hop: nextHopForUri(next.uri, this.options.location, formatUri(next.uri)) });
    }
    const uri = parseUri(request.uri);
    if (uri === undefined || uri.scheme === 'tel') return { ok: false, status: 416, why: `cannot route to ${request.uri}: only sip: URIs are routed` };
    if (!this.inOurDomain(uri)) return this.reachable({ ok: true, uri: request.uri, hop: nextHopForUri(uri, this.options.location, request.uri) });
    const user = uri.user;
    if (user === undefined) return { ok: false, status: 404, why: 'the Request-URI names no extension' };
    if (!this.options.accounts.has(user)) return { ok: false, status: 404, why: `no account "${user}"` };
    const binding = this.options.location.bindings(user)[0];
    if (binding === undefined) return { ok: false, status: 480, why: `account "${user}" has no live registration` };
    return { ok: true, uri: binding.contact, hop: nextHopForBinding(binding) };
  }

  /**
   * A PBX bound to loopback forwards only to loopback: a socket there cannot reach other hosts
   * anyway, and a peer's message (RFC 4475 names 192.0.2.x) must not make it try. Registered
   * contacts are not affected: they are where the phones really are.
   */
  private reachable(target: Target & { ok: true }): Target {
    const address = target.hop.destination.address;
    if (!isLoopback(this.options.stack.transport.address) || isLoopback(address) || target.hop.flowId !== undefined) return target;
    return { ok: false, status: 403, why: `will not forward to ${address}: the PBX listens on loopback and forwards only there` };
  }

  /** Our domain: any name we serve, or our own address (with our port, or none). */
  private inOurDomain(uri: SipUri): boolean {
    if (serves(uri.host)) return true;
    return uri.port === undefined ? uri.host.toLowerCase() === this.options.stack.transport.address.toLowerCase() : this.designatesUs(uri);
  }

  /**
   * §16.6 step 4. When the two legs use different transports, two entries (one per leg, as
   * Kamailio's double record-routing does): each side then reaches us over its own transport.
   */
  private recordRoute(request: SipRequest, inbound: TransportProtocol, outbound: TransportProtocol): number {
    if (inbound !== outbound) request.headers.prepend('Record-Route', this.recordRouteValue(inbound));
    request.headers.prepend('Record-Route', this.recordRouteValue(outbound));
    return inbound !== outbound ? 2 : 1;
  }

  private recordRouteValue(protocol: TransportProtocol): string {
    return `<sip:${this.options.stack.viaHost(protocol)};transport=${protocol.toLowerCase()};lr>`;
  }
}

/**
 * A copy of the request ready to forward (§16.6 steps 1-3 and §16.4): Max-Forwards decremented,
 * a strict router's Request-URI restored, and our own Route entries removed.
 */
function prepareForwarding(request: SipRequest, maxForwards: number, isRecordRouteUri: (uri: SipUri) => boolean, designatesUs: (uri: SipUri) => boolean): SipRequest {
  const forwarded: SipRequest = { type: 'request', method: request.method, uri: request.uri, headers: request.headers.clone(), body: request.body };
  forwarded.headers.set('Max-Forwards', maxForwards - 1);
  // §16.4: a Request-URI that is our Record-Route value came from a strict router: the real target is the last Route.
  const requestUri = parseUri(forwarded.uri);
  const routes = forwarded.headers.getAll('Route');
  const last = routes[routes.length - 1];
  if (requestUri !== undefined && requestUri.user === undefined && isRecordRouteUri(requestUri) && last !== undefined) {
    const target = parseNameAddr(last);
    if (target !== undefined) {
      forwarded.uri = formatUri(target.uri);
      forwarded.headers.remove('Route');
      for (const route of routes.slice(0, -1)) forwarded.headers.append('Route', route);
    }
  }
  // §16.4: the first Route value that indicates this proxy MUST be removed (two with double record-routing).
  for (let top = forwarded.headers.get('Route'); top !== undefined; top = forwarded.headers.get('Route')) {
    const uri = parseNameAddr(top)?.uri;
    if (uri === undefined || !designatesUs(uri)) break;
    forwarded.headers.removeFirst('Route');
  }
  return forwarded;
}

/** RFC 3261 §20.22: 1*DIGIT, so leading zeros count for nothing (RFC 4475 §3.1.1.1 sends 0068). */
function readMaxForwards(request: SipRequest): number | undefined {
  const value = request.headers.get('Max-Forwards');
  if (value === undefined) return 70;
  return /^\d{1,10}$/.test(value.trim()) && Number(value.trim()) <= 255 ? Number(value.trim()) : undefined;
}

function isLoopback(address: string): boolean {
  const host = address.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return host.startsWith('127.') || host === '::1' || host === 'localhost';
}

function hasToTag(request: SipRequest): boolean {
  const to = parseNameAddr(request.headers.get('To') ?? '');
  return to?.params.tag !== undefined;
}
