import { createResponse, generateBranch, parseCSeq, parseMessage, parseNameAddr, parseVia, serializeMessage, type ParseResult, type SipMessage, type SipRequest, type SipResponse, type Via } from './message/index.js';
import {
  InviteServerTransaction,
  NonInviteServerTransaction,
  ResponseAbsorbers,
  clientTransactionKey,
  resolveTimers,
  responseTransactionKey,
  serverTransactionKey,
  startClientTransaction,
  type ClientTransaction,
  type ClientTransactionResult,
  type ServerTransaction,
  type TransactionCounts,
  type TransactionTimers,
} from './transaction/index.js';
import {
  addReceivedParams,
  DEFAULT_SIP_PORT,
  formatEndpoint,
  responseDestination,
  routeKey,
  type ResponseRoute,
  type Endpoint,
  type InboundPacket,
  type SipTransport,
  type TransportProtocol,
} from './transport/index.js';
import { randomFromPool, type RandomBytes } from '../random/index.js';
import { drainPending } from './drainPending.js';

/** One message as this stack sent or received it. */
export interface SipTraceEntry {
  /** Wall-clock ms with microseconds in the fraction (for pcap deltas and jitter). */
  at: number;
  direction: 'in' | 'out';
  /** The bytes on the wire. */
  data: Buffer;
  /** The message parsed or as built, when the stack has it (undefined for an unparseable one, or bytes resent as they were). */
  message?: SipMessage;
  local: Endpoint;
  remote: Endpoint;
}

/** Wall-clock time with sub-millisecond resolution: Date.now() is whole milliseconds. */
const wallClock = (): number => performance.timeOrigin + performance.now();

export interface SipStackOptions {
  /** The stack owns it: `close()` closes it. */
  transport: SipTransport;
  /** T1, T2, T4 (and Timer D) in ms; RFC 3261 defaults 500, 4000, 5000 (D = 64*T1). */
  timers?: Partial<TransactionTimers>;
  /** Called for every message sent or received, before it is acted on: for SIP traces and the journal. */
  onTrace?: (entry: SipTraceEntry) => void;
  /** Called for each problem worth a log line (unparseable message dropped, 400 sent, transport error). */
  onWarning?: (message: string) => void;
  /** Written as User-Agent in requests and Server in responses that have neither. */
  userAgent?: string;
  /** The host in our Via sent-by; default the transport's address (set it when bound to 0.0.0.0). */
  viaAddress?: string;
  /**
   * Where this stack's branches, and the tags, Call-IDs and cnonces of the user agents on it, come
   * from. Default: the pooled cryptographic source. A seeded source makes a run reproducible.
   */
  random?: RandomBytes;
  /**
   * Answer every UDP request at the address and port it came from, whether or not its Via asked
   * with `rport` (see addReceivedParams). Default false: RFC 3261 §18.2.2 routing to the sent-by port.
   */
  forceRport?: boolean;
}

export type RequestResult = ClientTransactionResult;

export interface RequestHandlers {
  onProvisional?(response: SipResponse): void;
  /** INVITE: each 2xx after the first (retransmissions, other forks), so the UAC can ACK it again. */
  onRetransmitted2xx?(response: SipResponse): void;
  /** Send on this TCP flow if it is still open. */
  flowId?: string;
}

/** Where a request came from, and the flow to answer on. */
export interface RequestContext {
  source: Endpoint;
  local: Endpoint;
  flowId: string;
}

export type RequestHandler = (request: SipRequest, tx: ServerTransaction | undefined, context: RequestContext) => void;
export type StrayResponseHandler = (response: SipResponse, context: RequestContext) => void;

type ServerTx = InviteServerTransaction | NonInviteServerTransaction;

/**
 * The SIP transaction layer over one transport (RFC 3261 §17, §18, RFC 3581, RFC 6026), shared by
 * every SIP element of the project. It parses inbound bytes, answers unparseable-but-answerable
 * requests with 400, absorbs retransmissions, and hands the core each new request exactly once.
 *
 * @example
 * const stack = new SipStack({ transport: await createNetworkTransport({ port: 0 }) });
 * stack.onRequest((request, tx) => tx?.respond(createResponse(request, 200, undefined, { toTag: generateTag() })));
 * const result = await stack.request(register, { protocol: 'UDP', address: '127.0.0.1', port: 5060 });
 * if (!result.ok) console.log(result.reason === 'timeout' ? 'no answer (408)' : result.error?.message);
 */
export class SipStack {
  readonly transport: SipTransport;
  /** The random bytes of everything sent on this stack (see SipStackOptions.random). */
  readonly random: RandomBytes;
  private readonly timers: TransactionTimers;
  private readonly host: string;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTx>();
  /** Completed non-INVITE server transactions over UDP, reduced to their response's bytes for Timer J. */
  private readonly absorbers = new ResponseAbsorbers<ResponseRoute>((data, to) => this.sendData(data, to.destination, to.flowId), (m) => this.warn(m), routeKey);
  /** Results of client transactions still waiting for a final response: what a graceful close waits for. */
  private readonly pending = new Set<Promise<RequestResult>>();
  private requestHandler: RequestHandler | undefined;
  private strayHandler: StrayResponseHandler | undefined;
  private readonly unsubscribe: () => void;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: SipStackOptions) {
    this.transport = options.transport;
    this.random = options.random ?? randomFromPool;
    this.timers = resolveTimers(options.timers);
    this.host = options.viaAddress ?? options.transport.address;
    this.unsubscribe = this.transport.onPacket((packet) => this.receive(packet));
  }

  /** A Via sent-by for this stack over the given protocol, e.g. "127.0.0.1:5062". */
  viaHost(protocol: TransportProtocol): string {
    const port = protocol === 'UDP' ? this.transport.udpPort : this.transport.tcpPort;
    if (port === undefined) throw new Error(`SipStack: the transport has no ${protocol}; enable it in the transport's protocols`);
    return `${this.host.includes(':') ? `[${this.host}]` : this.host}:${port}`;
  }

  /** Live transactions and absorbers (read-only): all 0 once idle past its timers. */
  stats(): TransactionCounts {
    return { clientTransactions: this.clients.size, serverTransactions: this.servers.size, absorbers: this.absorbers.size };
  }

  /** Handles new requests (retransmissions are absorbed). ACKs for 2xx come with tx undefined; a CANCEL matching no INVITE comes with its own tx (answer 481). */
  onRequest(handler: RequestHandler): void {
    this.requestHandler = handler;
  }

  /** Handles 2xx responses to INVITE that match no transaction (retransmissions after Timer M), so a UAC can ACK them again. */
  onStrayResponse(handler: StrayResponseHandler): void {
    this.strayHandler = handler;
  }

  /**
   * Sends a request in a new client transaction and resolves with its final response, or a failure
   * value: `timeout` (Timer B/F; treat as 408) or `transport` (with the TransportError).
   * The request is modified in place: our Via (new branch, rport) goes on top, Max-Forwards and
   * User-Agent are added if missing. So a CANCEL built from it (createCancel) carries the INVITE's
   * branch, and is sent with that Via unchanged (§9.1); any other request that already has our Via
   * on top (sent again after a 401) gets a fresh branch instead. ACK is never sent here: use sendStateless.
   */
  request(request: SipRequest, destination: Endpoint, handlers: RequestHandlers = {}): Promise<RequestResult> {
    if (request.method === 'ACK') throw new TypeError('SipStack.request: an ACK has no transaction of its own; send it with sendStateless (RFC 3261 §17.1.1.3)');
    if (this.closed) return Promise.resolve({ ok: false, reason: 'transport', error: new Error('SipStack: closed') });
    const branch = this.prepareVia(request, destination.protocol);
    // RFC 3261 §8.1.1.6: a UAC MUST insert Max-Forwards.
    if (!request.headers.has('Max-Forwards')) request.headers.set('Max-Forwards', 70);
    if (this.options.userAgent && !request.headers.has('User-Agent')) request.headers.set('User-Agent', this.options.userAgent);
    const key = clientTransactionKey(branch, request.method);
    const { transaction, result } = startClientTransaction(
      request,
      { reliable: destination.protocol === 'TCP', timers: this.timers, send: (message) => this.send(message, destination, handlers.flowId) },
      {
        ...handlers,
        onTransportError: (error) => this.warn(`SIP stack: ${request.method} ${request.uri} failed: ${error.message}`),
        // Send failures surface asynchronously, so `transaction` is registered by the time this runs.
        onTerminated: () => {
          if (this.clients.get(key) === transaction) this.clients.delete(key);
        },
      },
    );
    this.clients.set(key, transaction);
    this.pending.add(result);
    void result.then(() => this.pending.delete(result));
    return result;
  }

  /** Sends a message outside any transaction (an ACK for 2xx, a proxy's stateless forward); rejects with a TransportError. */
  sendStateless(message: SipMessage, destination: Endpoint, flowId?: string): Promise<void> {
    return this.send(message, destination, flowId);
  }

  /**
   * Puts a new Via of this stack on top of `request` (fresh branch, rport) and returns the branch.
   * For requests sent with sendStateless, such as the ACK for a 2xx, which is a transaction of its own (§17.1.1.3).
   */
  prependVia(request: SipRequest, protocol: TransportProtocol): string {
    // RFC 3261 §8.1.1.7: the branch MUST start with the magic cookie and be unique per transaction.
    const branch = generateBranch(this.random);
    request.headers.prepend('Via', `SIP/2.0/${protocol} ${this.viaHost(protocol)};branch=${branch};rport`);
    return branch;
  }

  /** Where to send a response per RFC 3261 §18.2.2 + RFC 3581 (flow if reliable and open; received/rport). */
  responseDestination(request: SipRequest, context: { source: Endpoint; flowId: string }): ResponseRoute {
    return responseDestination(request, context);
  }

  /**
   * Terminates every transaction (pending `request` promises resolve with a transport failure) and
   * closes the transport. With `graceMs`, requests already sent (an unREGISTER, a BYE, a NOTIFY) and
   * those sent meanwhile (the same request again with credentials) first get up to that long for
   * their final responses: a peer that has gone away would otherwise hold them for Timer F (64*T1,
   * 32 s), and a stopping process must not wait for that.
   *
   * @example
   * void registration.stop({ unregister: true }); // REGISTER with Expires: 0, answered or not
   * await stack.close({ graceMs: 1000 });
   */
  close(options: { graceMs?: number } = {}): Promise<void> {
    this.closing ??= (async () => {
      if (options.graceMs !== undefined && options.graceMs > 0) await drainPending(this.pending, options.graceMs);
      this.closed = true;
      this.unsubscribe();
      for (const tx of [...this.clients.values(), ...this.servers.values()]) tx.terminate();
      this.absorbers.clear();
      await this.transport.close();
    })();
    return this.closing;
  }

  private receive(packet: InboundPacket): void {
    if (this.closed) return;
    const parsed = parseMessage(packet.data);
    this.trace('in', packet.data, packet.local, packet.source, parsed.ok ? parsed.message : undefined);
    if (!parsed.ok) return this.rejectUnparseable(parsed, packet);
    if (parsed.message.type === 'request') this.receiveRequest(parsed.message, packet);
    else this.receiveResponse(parsed.message, packet);
  }

  private rejectUnparseable(parsed: Extract<ParseResult, { ok: false }>, packet: InboundPacket): void {
    const request = parsed.answerable;
    // RFC 3261 §17: an ACK is never answered.
    if (request === undefined || request.method === 'ACK') {
      this.warn(`SIP stack: dropped an unparseable message from ${formatEndpoint(packet.source)}: ${parsed.error}`);
      return;
    }
    // The answer goes where the request came from: a broken message's Via may name any host.
    addReceivedParams(request, packet.source, { forceRport: this.options.forceRport === true });
    const status = parsed.status ?? 400;
    this.warn(`SIP stack: answered ${status} to ${request.method} from ${formatEndpoint(packet.source)}: ${parsed.error}`);
    this.answerStatelessly(request, packet, status, parsed.error);
  }

  private receiveRequest(request: SipRequest, packet: InboundPacket): void {
    const via = addReceivedParams(request, packet.source, { forceRport: this.options.forceRport === true });
    const key = serverTransactionKey(request);
    // The parser has checked the top Via and CSeq, so this is a safety net, not a code path.
    if (via === undefined || key === undefined) {
      if (request.method === 'ACK') return this.warn(`SIP stack: dropped an ACK without a usable top Via from ${formatEndpoint(packet.source)}`);
      this.warn(`SIP stack: answered 400 to ${request.method} from ${formatEndpoint(packet.source)}: Malformed top Via`);
      return this.answerStatelessly(request, packet, 400, 'Malformed top Via');
    }
    const context: RequestContext = { source: packet.source, local: packet.local, flowId: packet.flowId };
    const existing = this.servers.get(key);
    if (request.method === 'ACK') {
      // An ACK for our non-2xx ends its transaction here; an ACK for a 2xx is the core's (RFC 6026 §7.1).
      if (existing instanceof InviteServerTransaction && existing.receiveAck(request)) return;
      return this.deliver(request, undefined, context);
    }
    if (existing) return existing.receiveRequest(request);
    if (this.absorbers.absorb(key)) return;
    const tx = this.createServerTransaction(request, key, context);
    if (request.method === 'CANCEL' && this.cancelInvite(request, tx)) return;
    this.deliver(request, tx, context);
  }

  /** RFC 3261 §9.2: a CANCEL matching an INVITE transaction is answered 200 here; the core is told through onCancel. */
  private cancelInvite(cancel: SipRequest, tx: ServerTx): boolean {
    const inviteKey = serverTransactionKey(cancel, 'INVITE');
    const invite = inviteKey === undefined ? undefined : this.servers.get(inviteKey);
    if (!(invite instanceof InviteServerTransaction)) return false;
    // §9.2: the To tag of the 200 SHOULD be that of the INVITE's responses.
    const to = invite.lastResponse?.headers.get('To');
    const toTag = to === undefined ? undefined : (parseNameAddr(to)?.params.tag ?? undefined);
    tx.respond(createResponse(cancel, 200, undefined, toTag ? { toTag } : {}));
    invite.cancel();
    return true;
  }

  private receiveResponse(response: SipResponse, packet: InboundPacket): void {
    const via = parseVia(response.headers.get('Via') ?? '');
    // RFC 3261 §18.1.2: a response whose top Via is not ours MUST be silently discarded (we log it).
    if (via === undefined || !this.isOurs(via)) {
      this.warn(`SIP stack: dropped a ${response.status} from ${formatEndpoint(packet.source)} whose top Via is not ours (RFC 3261 §18.1.2)`);
      return;
    }
    const key = responseTransactionKey(response);
    const tx = key === undefined ? undefined : this.clients.get(key);
    if (tx) return tx.receiveResponse(response);
    const method = parseCSeq(response.headers.get('CSeq') ?? '')?.method;
    // A 2xx to INVITE outliving its transaction still needs an ACK from the UAC's dialog layer.
    if (method === 'INVITE' && response.status >= 200 && response.status < 300 && this.strayHandler) {
      this.invoke(() => this.strayHandler?.(response, { source: packet.source, local: packet.local, flowId: packet.flowId }));
    }
  }

  private createServerTransaction(request: SipRequest, key: string, context: RequestContext): ServerTx {
    const route = this.responseDestination(request, context);
    const txOptions = {
      reliable: context.source.protocol === 'TCP',
      timers: this.timers,
      send: (message: SipMessage) => this.send(this.withServerHeader(message), route.destination, route.flowId),
      serialize: (message: SipMessage) => serializeMessage(this.withServerHeader(message)),
      sendBytes: (data: Buffer, message?: SipMessage) => this.sendData(data, route.destination, route.flowId, message),
      absorb: (bytes: Buffer, forMs: number) => this.absorbers.add(key, bytes, route, forMs),
    };
    const user = {
      terminated: () => {
        if (this.servers.get(key) === tx) this.servers.delete(key);
      },
      warning: (message: string) => this.warn(message),
    };
    const tx = request.method === 'INVITE' ? new InviteServerTransaction(request, txOptions, user) : new NonInviteServerTransaction(request, txOptions, user);
    this.servers.set(key, tx);
    tx.start();
    return tx;
  }

  private deliver(request: SipRequest, tx: ServerTransaction | undefined, context: RequestContext): void {
    if (!this.requestHandler) return this.warn(`SIP stack: no onRequest handler; ${request.method} ${request.uri} is left unanswered`);
    const handler = this.requestHandler;
    this.invoke(() => handler(request, tx, context));
  }

  /** A bug in one handler must not take the transport (and every other call) down with it. */
  private invoke(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.warn(`SIP stack: a handler threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  private answerStatelessly(request: SipRequest, packet: InboundPacket, status: number, reason: string): void {
    // Reason-Phrase excludes CR and LF (RFC 3261 §25.1); keep it to one readable line.
    const phrase = reason.replace(/[\r\n\t]+/g, ' ').slice(0, 120);
    const route = this.responseDestination(request, { source: packet.source, flowId: packet.flowId });
    this.send(this.withServerHeader(createResponse(request, status, phrase)), route.destination, route.flowId).catch((error: unknown) =>
      this.warn(`SIP stack: could not send ${status}: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** Returns the branch of the Via the request will carry. */
  private prepareVia(request: SipRequest, protocol: TransportProtocol): string {
    const top = parseVia(request.headers.get('Via') ?? '');
    const ownBranch = top !== undefined && this.isOurs(top) ? top.params.branch : undefined;
    if (request.method === 'CANCEL' && ownBranch) return ownBranch;
    if (ownBranch) request.headers.removeFirst('Via');
    return this.prependVia(request, protocol);
  }

  private isOurs(via: Via): boolean {
    const port = via.port ?? DEFAULT_SIP_PORT;
    return via.host.toLowerCase() === this.host.toLowerCase() && (port === this.transport.udpPort || port === this.transport.tcpPort);
  }

  private withServerHeader(message: SipMessage): SipMessage {
    if (message.type === 'response' && this.options.userAgent && !message.headers.has('Server')) message.headers.set('Server', this.options.userAgent);
    return message;
  }

  private send(message: SipMessage, destination: Endpoint, flowId?: string): Promise<void> {
    return this.sendData(serializeMessage(message), destination, flowId, message);
  }

  private sendData(data: Buffer, destination: Endpoint, flowId?: string, message?: SipMessage): Promise<void> {
    const port = (destination.protocol === 'UDP' ? this.transport.udpPort : this.transport.tcpPort) ?? 0;
    this.trace('out', data, { protocol: destination.protocol, address: this.transport.address, port }, destination, message);
    return this.transport.send(data, destination, flowId);
  }

  private trace(direction: 'in' | 'out', data: Buffer, local: Endpoint, remote: Endpoint, message: SipMessage | undefined): void {
    const onTrace = this.options.onTrace;
    if (onTrace === undefined) return;
    onTrace(message === undefined ? { at: wallClock(), direction, data, local, remote } : { at: wallClock(), direction, data, message, local, remote });
  }

  private warn(message: string): void {
    this.options.onWarning?.(message);
  }
}
