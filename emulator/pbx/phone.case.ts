// Test support for the PBX tests (excluded from the build like *.test.ts): a minimal phone over the
// memory network, built on the project's SipStack, that registers with digest and runs dialogs by hand.
import { DigestClient, parseChallenge, type DigestAlgorithm } from '../../sip/index.js';
import {
  createRequest,
  createResponse,
  formatUri,
  generateCallId,
  generateTag,
  parseNameAddr,
  SipStack,
  type Endpoint,
  type MemoryNetwork,
  type RequestContext,
  type RequestResult,
  type ServerTransaction,
  type SipRequest,
  type SipResponse,
  type SipTransport,
  type TransactionTimers,
  type TransportProtocol,
} from '../../sip/index.js';

export interface PhoneOptions {
  username: string;
  password: string;
  domain?: string;
  protocol?: TransportProtocol;
  /** The PBX, where every request of this phone goes (its outbound proxy). */
  pbx: { address: string; port: number };
  timers?: Partial<TransactionTimers>;
}

export interface RegisterOptions {
  expires?: number;
  /** Contact values; default this phone's contact. `'*'` for the wildcard. */
  contacts?: string[];
  algorithm?: DigestAlgorithm;
  password?: string;
  /** Answer at most this many challenges (default 1). */
  challenges?: number;
  extraHeaders?: Array<[string, string]>;
  /** The digest `uri` to sign; default the Request-URI. */
  digestUri?: string;
  /** The From header's user; default this phone's user name. */
  fromUser?: string;
}

export interface Received {
  request: SipRequest;
  tx: ServerTransaction | undefined;
  context: RequestContext;
}

/** The view of a dialog a phone needs to send requests in it (RFC 3261 §12). */
export interface DialogView {
  callId: string;
  local: string;
  remote: string;
  remoteTarget: string;
  routeSet: string[];
  cseq: number;
}

export class TestPhone {
  readonly stack: SipStack;
  readonly received: Received[] = [];
  readonly protocol: TransportProtocol;
  readonly callId = generateCallId();
  readonly fromTag = generateTag();
  cseq = 0;
  private handler: (r: Received) => void = () => undefined;
  private readonly waiters: Array<{ method: string; resolve: (r: Received) => void }> = [];

  /** A phone on the memory network at address:port. */
  static on(network: MemoryNetwork, address: string, port: number, options: PhoneOptions): TestPhone {
    return new TestPhone(network.createTransport(address, port), options);
  }

  constructor(
    transport: SipTransport,
    readonly options: PhoneOptions,
  ) {
    this.protocol = options.protocol ?? 'UDP';
    this.stack = new SipStack({ transport, ...(options.timers && { timers: options.timers }) });
    this.stack.onRequest((request, tx, context) => {
      const r = { request, tx, context };
      this.received.push(r);
      this.handler(r);
      for (const waiter of this.waiters.filter((w) => w.method === request.method)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(r);
      }
    });
  }

  /** The first request of that method this phone received, waiting for it if need be. */
  next(method: string): Promise<Received> {
    const found = this.received.find((r) => r.request.method === method);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ method, resolve }));
  }

  get pbx(): Endpoint {
    return { protocol: this.protocol, ...this.options.pbx };
  }

  get domain(): string {
    return this.options.domain ?? 'sip.your-provider.com';
  }

  get aor(): string {
    return `sip:${this.options.username}@${this.domain}`;
  }

  get contact(): string {
    return `sip:${this.options.username}@${this.stack.viaHost(this.protocol)}${this.protocol === 'TCP' ? ';transport=tcp' : ''}`;
  }

  onRequest(handler: (r: Received) => void): void {
    this.handler = handler;
  }

  buildRegister(options: RegisterOptions = {}): SipRequest {
    const headers: Array<[string, string | number]> = [
      ['From', `<${options.fromUser === undefined ? this.aor : `sip:${options.fromUser}@${this.domain}`}>;tag=${this.fromTag}`],
      ['To', `<${this.aor}>`],
      ['Call-ID', this.callId],
      ['CSeq', `${++this.cseq} REGISTER`],
    ];
    for (const contact of options.contacts ?? [`<${this.contact}>`]) headers.push(['Contact', contact]);
    if (options.expires !== undefined) headers.push(['Expires', options.expires]);
    headers.push(...(options.extraHeaders ?? []));
    return createRequest({ method: 'REGISTER', uri: `sip:${this.domain}`, headers });
  }

  /** REGISTER, answering up to `challenges` 401s with digest; every final response in order. */
  async register(options: RegisterOptions = {}): Promise<Array<SipResponse | RequestResult>> {
    const digest = new DigestClient(this.options.username, options.password ?? this.options.password);
    const results: Array<SipResponse | RequestResult> = [];
    let request = this.buildRegister(options);
    for (let attempt = 0; ; attempt++) {
      const result = await this.stack.request(request, this.pbx);
      if (!result.ok) return [...results, result];
      results.push(result.response);
      if (result.response.status !== 401 || attempt >= (options.challenges ?? 1)) return results;
      const challenges = result.response.headers.getAll('WWW-Authenticate').map(parseChallenge);
      const challenge = challenges.find((c) => c !== undefined && (options.algorithm === undefined || c.algorithm === options.algorithm));
      if (challenge === undefined) return results;
      request = this.buildRegister(options);
      request.headers.set('Authorization', digest.authorize(challenge, 'REGISTER', options.digestUri ?? request.uri));
    }
  }

  /** An out-of-dialog INVITE (or other method) from this phone. */
  buildRequest(method: string, target: string, body = ''): SipRequest {
    return createRequest({
      method,
      uri: target,
      headers: [
        ['From', `<${this.aor}>;tag=${generateTag()}`],
        ['To', `<${target}>`],
        ['Call-ID', generateCallId()],
        ['CSeq', `1 ${method}`],
        ['Contact', `<${this.contact}>`],
      ],
      ...(body !== '' && { body, contentType: 'application/sdp' }),
    });
  }

  send(request: SipRequest, handlers: Parameters<SipStack['request']>[2] = {}): Promise<RequestResult> {
    return this.stack.request(request, this.pbx, handlers);
  }

  /** An in-dialog request (§12.2.1.1): Request-URI the remote target, Route the route set, next CSeq (ACK keeps the INVITE's). */
  buildInDialog(dialog: DialogView, method: string): SipRequest {
    const seq = method === 'ACK' ? dialog.cseq : ++dialog.cseq;
    const headers: Array<[string, string | number]> = dialog.routeSet.map((route) => ['Route', route] as [string, string]);
    headers.push(['From', dialog.local], ['To', dialog.remote], ['Call-ID', dialog.callId], ['CSeq', `${seq} ${method}`], ['Contact', `<${this.contact}>`]);
    return createRequest({ method, uri: dialog.remoteTarget, headers });
  }

  /** Sends an ACK for a 2xx statelessly to the PBX (the first hop of the route set). */
  async sendAck(dialog: DialogView): Promise<SipRequest> {
    const ack = this.buildInDialog(dialog, 'ACK');
    this.stack.prependVia(ack, this.protocol);
    await this.stack.sendStateless(ack, this.pbx);
    return ack;
  }

  /** Answers a request as a UAS: To tag, Record-Route copied and Contact for 1xx/2xx of a dialog-creating request (§12.1.1). */
  answer(received: Received, status: number, toTag = 'callee-tag'): SipResponse {
    const response = createResponse(received.request, status, undefined, status === 100 ? {} : { toTag });
    if (status > 100 && status < 300) {
      for (const rr of received.request.headers.getAll('Record-Route')) response.headers.append('Record-Route', rr);
      response.headers.append('Contact', `<${this.contact}>`);
    }
    received.tx?.respond(response);
    return response;
  }

  async close(): Promise<void> {
    await this.stack.close();
  }
}

/** The caller's dialog from its INVITE and the 2xx (§12.1.2): route set = Record-Route reversed. */
export function uacDialog(invite: SipRequest, response: SipResponse): DialogView {
  return {
    callId: invite.headers.get('Call-ID') ?? '',
    local: invite.headers.get('From') ?? '',
    remote: response.headers.get('To') ?? '',
    remoteTarget: contactUri(response.headers.get('Contact')),
    routeSet: response.headers.getAll('Record-Route').reverse(),
    cseq: Number((invite.headers.get('CSeq') ?? '1').split(' ')[0]),
  };
}

/** The callee's dialog from the INVITE as received (§12.1.1): route set = Record-Route in order. */
export function uasDialog(invite: SipRequest, toTag = 'callee-tag'): DialogView {
  return {
    callId: invite.headers.get('Call-ID') ?? '',
    local: `${invite.headers.get('To') ?? ''};tag=${toTag}`,
    remote: invite.headers.get('From') ?? '',
    remoteTarget: contactUri(invite.headers.get('Contact')),
    routeSet: invite.headers.getAll('Record-Route'),
    cseq: 100,
  };
}

function contactUri(value: string | undefined): string {
  const parsed = parseNameAddr(value ?? '');
  if (parsed === undefined) throw new Error(`test phone: unparseable Contact ${value}`);
  return formatUri(parsed.uri);
}

/** Advances fake timers until the promise settles (at most `limitMs` of fake time). */
export async function settle<T>(promise: Promise<T>, advance: (ms: number) => Promise<unknown>, limitMs = 120_000, stepMs = 50): Promise<T> {
  let done = false;
  let value: T | undefined;
  void promise.then((v) => {
    done = true;
    value = v;
  });
  for (let elapsed = 0; !done && elapsed < limitMs; elapsed += stepMs) await advance(stepMs);
  if (!done) throw new Error(`settle: still pending after ${limitMs} ms of fake time`);
  return value as T;
}
