import { cryptoSource, type RandomSource } from '../../random/index.js';
import {
  type InboundPacket,
  parseMessage,
  createNetworkTransport,
  DEFAULT_T1,
  parseNameAddr,
  parseUri,
  SipStack,
  type Endpoint,
  type RequestContext,
  type ServerTransaction,
  type SipRequest,
  type SipTraceEntry,
  type SipTransport,
  type TransactionTimers,
  type TransactionCounts,
  type TransportProtocol,
  type DigestAlgorithm,
} from '../../sip/index.js';
import type { FaultRules, FaultSubject } from '../core/FaultRules.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { AccountDirectory, type AccountCredentials } from './AccountDirectory.js';
import { MemoryConnections, type ConnectionSource } from './ConnectionSource.js';
import { Authenticator } from './Authenticator.js';
import { FaultyTransport } from './FaultyTransport.js';
import { faultResponse } from './faultResponse.js';
import { LocationService, type BindingChange, type PbxClock } from './LocationService.js';
import { PBX_ALLOW, pbxResponse } from './pbxResponse.js';
import { Proxy } from './Proxy.js';
import { mergeQuirks, PbxQuirkSettings, type EffectiveQuirks, type PbxQuirks, type QuirkEvent } from './quirks.js';
import { Registrar } from './Registrar.js';
import { serves } from './serves.js';

export interface PbxOptions {
  /** Binding expiry and nonce lifetime read it (the emulator's clock). Default Date.now. */
  clock?: PbxClock;
  /** Fault rules checked on each incoming request (`target: 'sip'`, `direction: 'in'`). */
  faults?: Pick<FaultRules, 'check' | 'hasRulesFor'>;
  logger?: Logger;
  /** Every random choice of the PBX: drop draws, tags, nonces. Default: cryptographic; seeded to reproduce a run. */
  random?: RandomSource;
  /** Every SIP message the PBX sends or receives (the emulator's journal records them). */
  onTrace?: (entry: SipTraceEntry) => void;
  /** Every registration binding added, refreshed or removed. */
  onBinding?: (change: BindingChange) => void;
  /** Seconds; shorter registrations get 423 with Min-Expires. Default 60. */
  minExpires?: number;
  /** Seconds; longer registrations are granted this. Default 3600. */
  maxExpires?: number;
  /** Accounts from the configuration, e.g. the handoff target `{ username: '200', password: 'human' }`. */
  accounts?: AccountCredentials[];
  /** The SIP connections whose listeners register here (the emulator's store). Default: none, in memory. */
  connections?: ConnectionSource;
  /** Digest challenge: algorithms (default SHA-256 and MD5), qop=auth (default on), nonce lifetime (default 5 min). */
  digest?: { algorithms?: DigestAlgorithm[]; qop?: boolean; nonceLifetimeMs?: number };
  /** RFC 3261 T1/T2/T4, ms; shorter in tests. */
  sipTimers?: Partial<TransactionTimers>;
  /** Proxy Timer C, ms (default 181 s). */
  timerC?: number;
  /** Probability that a UDP message is lost, in and out. Default 0. */
  dropRate?: number;
  /** PBX-wide quirks at start (and after reset). Default none. */
  quirks?: PbxQuirks;
  /** Every time a quirk changes what the PBX does (the emulator's journal records them as `pbx.quirk`). */
  onQuirk?: (event: QuirkEvent) => void;
}

export interface PbxStartOptions extends PbxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Both protocols share it; 0 (default) picks a free port. */
  port?: number;
  /** Default both. */
  transports?: TransportProtocol[];
}

type SipFaultSubject = Extract<FaultSubject, { target: 'sip' }>;

/** The URI schemes the PBX routes and registers. tel: goes to the proxy, which answers it 416 itself. */
const SCHEMES = new Set(['sip', 'sips']);

const SCHEME = /^\s*<?\s*([A-Za-z][A-Za-z0-9+\-.]*):/;
const BRACKETED_URI = /<([^>]*)>/;
const schemeOf = (uri: string): string => SCHEME.exec(uri)?.[1]?.toLowerCase() ?? '';
const uriOf = (value: string): string => BRACKETED_URI.exec(value)?.[1] ?? value.split(';')[0] ?? '';

/**
 * Why the PBX cannot serve the request's URIs (RFC 3261 §8.2.2.1, RFC 4475 §3.3.2-4), or
 * undefined: the Request-URI's scheme, and for a REGISTER the To (address-of-record) and Contacts.
 */
function unsupportedScheme(request: SipRequest): string | undefined {
  const requestScheme = schemeOf(request.uri);
  if (!SCHEMES.has(requestScheme) && requestScheme !== 'tel') return `cannot serve ${requestScheme}: URIs`;
  if (request.method !== 'REGISTER') return undefined;
  const unregistrable = (value: string): string | undefined => {
    const uri = uriOf(value).trim();
    return SCHEMES.has(schemeOf(uri)) ? undefined : `cannot register ${uri}: only sip: and sips: URIs`;
  };
  const to = unregistrable(request.headers.get('To') ?? '');
  if (to !== undefined) return to;
  for (const contact of request.headers.getAll('Contact')) {
    if (contact.trim() === '*') continue;
    const refused = unregistrable(contact);
    if (refused !== undefined) return refused;
  }
  return undefined;
}

/** Methods a SIP element may meet (RFC 3261 and the extensions softphones use); anything else gets 501. */
const KNOWN_METHODS = new Set(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE']);

/**
 * The built-in PBX: registrar, location service and record-routing proxy over one SIP stack, with
 * the emulator's fault hooks. Connections whose server is a name register here; softphones and the
 * handoff target register here too, and calls between them go through the proxy.
 *
 * @example
 * const connections = new MemoryConnections();
 * const pbx = await Pbx.start({ port: 0, clock, faults, logger, random, connections, accounts: [{ username: '200', password: 'human' }] });
 * connections.set('sipconn_1', { username: '101', domain: 'sip.your-provider.com', password: 's3cret' });
 * console.log(pbx.ports.udp, pbx.accounts.list());
 * await pbx.close();
 */
export class Pbx {
  readonly accounts: AccountDirectory;
  readonly location: LocationService;
  /** The PBX-wide quirks; an account's own are in `accounts`. */
  readonly quirks: PbxQuirkSettings;
  readonly host: string;
  private readonly transport: FaultyTransport;
  private readonly stack: SipStack;
  private readonly registrar: Registrar;
  private readonly proxy: Proxy;
  private readonly logger: Logger;
  private readonly minExpires: number;
  private readonly delays = new Set<ReturnType<typeof setTimeout>>();

  /** Opens UDP and TCP on host:port and starts the PBX there. */
  static async start(options: PbxStartOptions = {}): Promise<Pbx> {
    const transport = await createNetworkTransport({ address: options.host ?? '127.0.0.1', port: options.port ?? 0, protocols: options.transports ?? ['UDP', 'TCP'] });
    return new Pbx(transport, options);
  }

  /** Starts the PBX on a transport it then owns, e.g. one of a memory network in tests. */
  static create(transport: SipTransport, options: PbxOptions = {}): Pbx {
    return new Pbx(transport, options);
  }

  private constructor(transport: SipTransport, private readonly options: PbxOptions) {
    const clock = options.clock ?? { now: () => Date.now() };
    this.logger = options.logger ?? silentLogger;
    this.host = transport.address;
    const random = options.random ?? cryptoSource();
    this.transport = new FaultyTransport(transport, random.float, (packet) => this.dropByRule(packet), (data, destination) => this.dropSentByRule(data, destination));
    if (options.dropRate !== undefined) this.transport.setDropRate(options.dropRate);
    this.minExpires = options.minExpires ?? 60;
    const maxExpires = options.maxExpires ?? 3600;
    if (!(this.minExpires >= 1 && maxExpires >= this.minExpires)) throw new RangeError(`PBX: need 1 <= minExpires <= maxExpires, got ${this.minExpires} and ${maxExpires}`);
    this.location = new LocationService(clock, options.onBinding);
    this.accounts = new AccountDirectory(this.location, options.connections ?? new MemoryConnections(), options.accounts);
    this.quirks = new PbxQuirkSettings(options.quirks, options.onQuirk);
    this.stack = new SipStack({
      transport: this.transport,
      ...(options.sipTimers && { timers: options.sipTimers }),
      ...(options.onTrace && { onTrace: options.onTrace }),
      onWarning: (message) => this.logger.warn(`PBX: ${message}`),
      random: random.bytes,
      // As Kamailio's force_rport(): phones behind NAT, and peers whose Via names a host or port
      // they do not listen on (RFC 4475's 192.0.2.x), get their answers where the request came from.
      forceRport: true,
    });
    // One authenticator for registrations (401) and calls (407): a nonce from either stays valid for both.
    const authenticator = new Authenticator({ clock, random: random.bytes, ...options.digest });
    this.registrar = new Registrar({
      accounts: this.accounts,
      location: this.location,
      authenticator,
      clock,
      logger: this.logger,
      policy: { minExpires: this.minExpires, maxExpires, defaultExpires: maxExpires },
      random: random.bytes,
      quirksFor: (username) => this.quirksFor(username),
      onQuirk: (event) => this.quirks.report(event),
    });
    this.proxy = new Proxy({
      stack: this.stack,
      accounts: this.accounts,
      location: this.location,
      logger: this.logger,
      T1: options.sipTimers?.T1 ?? DEFAULT_T1,
      ...(options.timerC !== undefined && { timerC: options.timerC }),
      authenticator,
      quirksFor: (username) => this.quirksFor(username),
      onQuirk: (event) => this.quirks.report(event),
    });
    this.stack.onRequest((request, tx, context) => this.receive(request, tx, context));
    this.stack.onStrayResponse((response) => this.proxy.forwardStrayResponse(response));
  }

  /** What the PBX holds right now, for diagnostics: its stack's transactions, the proxy's pending branches, users with a binding. */
  usage(): TransactionCounts & { proxyBranches: number; registeredUsers: number } {
    return { ...this.stack.stats(), proxyBranches: this.proxy.branchCount, registeredUsers: this.location.usernames().length };
  }

  /** The bound ports; undefined for a protocol that is off. */
  get ports(): { udp: number | undefined; tcp: number | undefined } {
    return { udp: this.transport.udpPort, tcp: this.transport.tcpPort };
  }

  /** Where a listener sends its REGISTER for a server name the PBX serves. */
  endpoint(protocol: TransportProtocol): Endpoint {
    const port = protocol === 'UDP' ? this.transport.udpPort : this.transport.tcpPort;
    if (port === undefined) throw new Error(`PBX: ${protocol} is not enabled; start the PBX with transports including ${protocol}`);
    return { protocol, address: this.host, port };
  }

  serves(server: string): boolean {
    return serves(server);
  }

  /** The "PBX down" fault: while down, every message in and out is dropped. */
  setDown(down: boolean): void {
    if (down !== this.transport.isDown) this.logger.info(`PBX: ${down ? 'down (dropping every SIP message)' : 'up again'}`);
    this.transport.setDown(down);
  }

  /** Probability in [0, 1] that a UDP message is lost, each way. */
  setDropRate(rate: number): void {
    this.transport.setDropRate(rate);
  }

  /** The quirks in force for an account: its own over the PBX-wide ones. */
  quirksFor(username: string | undefined): EffectiveQuirks {
    return mergeQuirks(this.quirks.active(), username === undefined ? undefined : this.accounts.quirksOf(username));
  }

  /** Back to a fresh PBX between tests: configured accounts and quirks only, no registrations, up, no loss. */
  reset(): void {
    this.accounts.reset();
    this.quirks.reset();
    this.setDown(false);
    this.transport.setDropRate(this.options.dropRate ?? 0);
  }

  async close(): Promise<void> {
    for (const timer of this.delays) clearTimeout(timer);
    this.delays.clear();
    this.proxy.close();
    this.accounts.close();
    await this.stack.close();
  }

  /** Fault rules first: they stand in for the PBX misbehaving, so they act before anything else does. */
  private receive(request: SipRequest, tx: ServerTransaction | undefined, context: RequestContext): void {
    const hit = this.checkFault(request);
    if (hit === undefined) return this.dispatch(request, tx, context);
    const { rule, action } = hit;
    const label = `${request.method} ${request.uri} from ${context.source.address}:${context.source.port}/${context.source.protocol}: fault rule ${rule.id}`;
    switch (action.type) {
      case 'drop':
        this.logger.info(`${label} dropped the request`);
        return;
      case 'respond':
        this.logger.info(`${label} answers ${action.status}`);
        if (tx !== undefined) tx.respond(faultResponse(this.stack.random, request, action, this.minExpires));
        return;
      case 'delay':
        this.logger.info(`${label} delays it by ${action.ms} ms`);
        return this.later(action.ms, request, tx, context);
      default:
        this.logger.warn(`${label}: action "${action.type}" does not apply to SIP messages; ignored`);
        return this.dispatch(request, tx, context);
    }
  }

  /** No Route, or only Routes to us (a phone that uses the PBX as its outbound proxy preloads one). */
  private routesEndHere(request: SipRequest): boolean {
    return request.headers.getAll('Route').every((route) => {
      const uri = parseNameAddr(route)?.uri;
      return uri !== undefined && this.proxy.designatesUs(uri);
    });
  }

  /** `respond` and `delay` rules act once per request, in the core; `drop` rules per message, in the transport. */
  private checkFault(request: SipRequest): ReturnType<FaultRules['check']> {
    const { faults } = this.options;
    // The stack answers a CANCEL itself; by the time we see one, there is nothing left to fault.
    if (faults === undefined || request.method === 'CANCEL') return undefined;
    return faults.check(this.faultSubject(request), ['respond', 'delay']);
  }

  /** A `drop` rule loses each matching message (retransmissions included) with its probability, as packet loss would. */
  private dropByRule(packet: InboundPacket): boolean {
    const { faults } = this.options;
    // Parsing each message a second time is paid only while a drop rule exists.
    if (faults === undefined || !faults.hasRulesFor('sip', ['drop'])) return false;
    const parsed = parseMessage(packet.data);
    if (!parsed.ok || parsed.message.type !== 'request' || parsed.message.method === 'CANCEL') return false;
    const hit = faults.check(this.faultSubject(parsed.message), ['drop']);
    if (hit) this.logger.info(`${parsed.message.method} ${parsed.message.uri} from ${packet.source.address}:${packet.source.port}/${packet.source.protocol}: fault rule ${hit.rule.id} dropped the message`);
    return hit !== undefined;
  }

  /**
   * A `drop` rule with `direction: out` loses a message the PBX sends, request or response (its
   * method is the CSeq's), with its probability: loss on the way back. UDP only, as for `dropRate`:
   * a TCP flow does not lose a whole message.
   */
  private dropSentByRule(data: Buffer, destination: Endpoint): boolean {
    const { faults } = this.options;
    if (faults === undefined || destination.protocol !== 'UDP' || !faults.hasRulesFor('sip', ['drop'])) return false;
    const parsed = parseMessage(data);
    if (!parsed.ok) return false;
    const message = parsed.message;
    const subject: FaultSubject = message.type === 'request'
      ? this.faultSubject(message, 'out')
      : this.responseSubject(message.headers.get('CSeq'), message.headers.get('To'));
    if (subject.method === '') return false;
    const hit = faults.check(subject, ['drop']);
    if (hit) this.logger.info(`${message.type === 'request' ? message.method : `${message.status} ${subject.method}`} to ${destination.address}:${destination.port}/UDP: fault rule ${hit.rule.id} dropped the message`);
    return hit !== undefined;
  }

  /** A response's subject: the method it answers, and the account of its To (the AOR, or the callee). */
  private responseSubject(cseq: string | undefined, to: string | undefined): SipFaultSubject {
    const method = /^\s*\d+\s+(\S+)/.exec(cseq ?? '')?.[1] ?? '';
    const account = parseNameAddr(to ?? '')?.uri.user;
    const connectionId = account === undefined ? undefined : this.accounts.connectionIdsFor(account)[0];
    return { target: 'sip', method, direction: 'out', ...(account !== undefined && { account }), ...(connectionId !== undefined && { connectionId }) };
  }

  private faultSubject(request: SipRequest, direction: 'in' | 'out' = 'in'): SipFaultSubject {
    const account = request.method === 'REGISTER' ? parseNameAddr(request.headers.get('From') ?? '')?.uri.user : parseUri(request.uri)?.user;
    const connectionId = account === undefined ? undefined : this.accounts.connectionIdsFor(account)[0];
    return { target: 'sip', method: request.method, direction, ...(account !== undefined && { account }), ...(connectionId !== undefined && { connectionId }) };
  }

  /** A delayed request is handled later (real time, like the SIP timers); a CANCEL meanwhile ends an INVITE with 487. */
  private later(ms: number, request: SipRequest, tx: ServerTransaction | undefined, context: RequestContext): void {
    let state: 'waiting' | 'cancelled' | 'dispatched' = 'waiting';
    tx?.onCancel(() => {
      // Once dispatched, the proxy's own CANCEL handling takes over.
      if (state !== 'waiting') return;
      state = 'cancelled';
      tx.respond(pbxResponse(this.stack.random, request, 487));
    });
    const timer = setTimeout(() => {
      this.delays.delete(timer);
      if (state !== 'waiting') return;
      state = 'dispatched';
      this.dispatch(request, tx, context);
    }, ms);
    this.delays.add(timer);
  }

  private dispatch(request: SipRequest, tx: ServerTransaction | undefined, context: RequestContext): void {
    if (request.method === 'ACK') return this.proxy.forwardAck(request);
    if (tx === undefined) return;
    const label = `${request.method} ${request.uri} from ${context.source.address}:${context.source.port}/${context.source.protocol}`;
    const reject = (status: number, why: string, headers: Array<[string, string]> = []): void => {
      this.logger.info(`${label} → ${status}: ${why}`);
      tx.respond(pbxResponse(this.stack.random, request, status, undefined, headers));
    };
    // §8.2.1: a method nobody here knows is 501; a known one the PBX does not offer is 405 with Allow.
    if (!KNOWN_METHODS.has(request.method)) return reject(501, `unknown method ${request.method}`, [['Allow', PBX_ALLOW]]);
    // A CANCEL matching an INVITE was answered by the stack; this one matches nothing (§9.2).
    if (request.method === 'CANCEL') return reject(481, 'CANCEL matches no pending INVITE');
    if (request.method === 'PUBLISH') return reject(405, 'the PBX has no presence server', [['Allow', PBX_ALLOW]]);
    // §8.2.2.1: a Request-URI scheme the PBX cannot serve is 416, before it is routed or registered.
    const unserved = unsupportedScheme(request);
    if (unserved !== undefined) return reject(416, unserved);
    const local = request.method === 'REGISTER' || (request.method === 'OPTIONS' && parseUri(request.uri)?.user === undefined && this.routesEndHere(request));
    if (!local) return this.proxy.forward(request, tx, context);
    // §8.2.2.3: the PBX as a UAS supports no extension a request could Require.
    const required = request.headers.getAll('Require');
    if (required.length > 0) return reject(420, `unsupported Require: ${required.join(', ')}`, [['Unsupported', required.join(', ')]]);
    if (request.method === 'REGISTER') return this.registrar.handle(request, tx, context);
    // §11.2: what the PBX offers, so a softphone's keep-alive or capability query gets an answer.
    tx.respond(pbxResponse(this.stack.random, request, 200, undefined, [['Allow', PBX_ALLOW], ['Accept', 'application/sdp'], ['Supported', '']]));
  }
}
