import { EventEmitter } from 'node:events';
import { buildSdp, type RtpSession, type SdpCodec } from '../media/index.js';
import { createNetworkTransport, type IncomingInvite, parseUri, realScheduler, RegisterClient, type RegistrationFailure, SipStack, type TransportProtocol, UserAgent } from '../sip/index.js';
import { CallMedia, openSession } from './CallMedia.js';
import { RegistrationError } from './errors.js';
import { SoftphoneCall, type CallHost, type CallLeg } from './SoftphoneCall.js';
import { checkAutoAnswer, resolveSoftphoneOptions, type AutoAnswer, type ResolvedSoftphoneOptions, type SoftphoneOptions } from './SoftphoneOptions.js';

/** How one call is placed; see `Softphone.call`. */
export interface CallOptions {
  /** Extra headers for the INVITE. */
  headers?: Array<[string, string]>;
  /** The codecs offered (default PCMU, PCMA, telephone-event). */
  codecs?: readonly SdpCodec[];
  /** INVITE without SDP: the callee offers in its 200, we answer in the ACK. Default the softphone's `lateOffer`. */
  lateOffer?: boolean;
  /** `Require: 100rel` in the INVITE, and a PRACK for each reliable 1xx (RFC 3262). Default the softphone's `require100rel`. */
  require100rel?: boolean;
  /** Session timers (RFC 4028) with this interval, seconds; default the softphone's `sessionExpires`. */
  sessionExpires?: number;
}

export interface SoftphoneEvents {
  incoming: [call: SoftphoneCall];
  registered: [info: { expires: number }];
  'registration-failed': [failure: RegistrationFailure];
}

/**
 * How long `stop()` waits for the answers to its BYEs, CANCELs and unREGISTER before it abandons
 * them: a server that has gone away would hold them for Timer F (32 s).
 */
const STOP_GRACE_MS = 1000;

/**
 * A SIP user agent for tests, scenarios and people: it registers, places calls through its server
 * with an SDP offer (PCMU, PCMA, telephone-event), answers incoming calls per `autoAnswer`, and
 * follows transfers. Audio, DTMF and recordings are per call: see SoftphoneCall.
 *
 * @example
 * const phone = await Softphone.start({ username: 'alice', password: 'a', domain: 'pbx.test', server: { protocol: 'UDP', address: '127.0.0.1', port: 5060 } });
 * const call = phone.call('101');
 * if ((await call.answered).ok) await call.playTone(440, 800);
 * await phone.stop();
 */
export class Softphone extends EventEmitter<SoftphoneEvents> {
  readonly username: string;
  readonly transport: TransportProtocol;
  /** Our Contact URI, where the server sends our calls. */
  readonly contact: string;
  private readonly live = new Set<SoftphoneCall>();
  private readonly registration: RegisterClient | undefined;
  private autoAnswer: Required<AutoAnswer>;
  /** An RTP session bound ahead of time, so that `call()` can put its port in the offer at once. */
  private spare: RtpSession | undefined;
  private refilling: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly host: CallHost;
  private readonly ua: UserAgent;

  private constructor(
    private readonly options: ResolvedSoftphoneOptions,
    private readonly stack: SipStack,
  ) {
    super();
    this.username = options.username;
    this.transport = options.server.protocol;
    this.autoAnswer = options.autoAnswer;
    this.contact = `sip:${options.username}@${stack.viaHost(this.transport)};transport=${this.transport.toLowerCase()}`;
    this.host = { options, call: (target, callOptions) => this.call(target, callOptions), ended: (call) => this.live.delete(call) };
    const ua = new UserAgent(stack, {
      contact: this.contact,
      timers: options.sipTimers,
      ...(options.password !== '' ? { credentials: { username: options.username, password: options.password } } : {}),
      onWarning: (message) => options.logger.warn(`softphone ${this.username}: ${message}`),
    });
    ua.onInvite((invite) => this.receiveCall(invite));
    this.ua = ua;
    if (options.register) {
      this.registration = new RegisterClient({
        stack,
        destination: options.server,
        serverLabel: `${options.server.address}:${options.server.port} over ${options.server.protocol}`,
        username: options.username,
        password: options.password,
        domain: options.domain,
        expires: options.registerExpires,
        scheduler: realScheduler,
        onRegistered: (expires) => this.emit('registered', { expires }),
        onFailed: (failure) => this.emit('registration-failed', failure),
      });
    }
  }

  /**
   * Opens the SIP socket (UDP or TCP, as the server's protocol) and registers; resolves once
   * registered, or at once with `register: false`. A refused or unanswered registration rejects
   * with a RegistrationError (its `code` is the SIP status) and closes everything.
   */
  static async start(options: SoftphoneOptions): Promise<Softphone> {
    const resolved = resolveSoftphoneOptions(options);
    const { logger } = resolved;
    const transport = await createNetworkTransport({ address: resolved.localAddress, port: resolved.localPort, protocols: [resolved.server.protocol] });
    const stack = new SipStack({
      transport,
      timers: resolved.sipTimers,
      userAgent: 'omnisip-softphone',
      onWarning: (message) => logger.warn(`softphone ${resolved.username}: ${message}`),
      random: resolved.random.bytes,
      ...(resolved.onSipMessage === undefined ? {} : { onTrace: resolved.onSipMessage }),
    });
    const phone = new Softphone(resolved, stack);
    await phone.refill();
    if (phone.registration === undefined) return phone;
    const outcome = await new Promise<{ ok: true } | { ok: false; failure: RegistrationFailure }>((resolve) => {
      phone.once('registered', () => resolve({ ok: true }));
      phone.once('registration-failed', (failure) => resolve({ ok: false, failure }));
      phone.registration?.start();
    });
    if (outcome.ok) {
      logger.info(`softphone ${resolved.username}: registered at ${resolved.server.address}:${resolved.server.port} over ${resolved.server.protocol} as ${phone.contact}`);
      return phone;
    }
    await phone.close({ unregister: false });
    throw new RegistrationError(resolved.username, outcome.failure);
  }

  get registered(): boolean {
    return this.registration?.isRegistered ?? false;
  }

  /**
   * Calls `target` (an extension, `sip:200@pbx.test` for the domain, or a whole sip: URI) through
   * the server, with an SDP offer of PCMU, PCMA and telephone-event. `headers` go into the INVITE.
   */
  call(target: string, options: CallOptions = {}): SoftphoneCall {
    if (this.stopping !== undefined) throw new Error(`Softphone.call: softphone ${this.username} is stopped`);
    const uri = this.targetUri(target);
    const session = this.spare;
    this.spare = undefined;
    void this.refill();
    const { server, username, domain, localAddress, logger } = this.options;
    const lateOffer = options.lateOffer ?? this.options.lateOffer;
    const require100rel = options.require100rel ?? this.options.require100rel;
    const sessionExpires = options.sessionExpires ?? this.options.sessionExpires;
    const sessionTimer = sessionExpires === undefined ? {} : { sessionTimer: { seconds: sessionExpires, scheduler: this.options.scheduler } };
    const from = `<sip:${username}@${domain}>`;
    const leg: CallLeg = {
      direction: 'outgoing',
      remote: uri,
      setup: { lateOffer, require100rel, ...(sessionExpires !== undefined && { sessionExpires }) },
      start: (call, hooks) => {
        const onProvisional = (response: Parameters<SoftphoneCall['provisional']>[0]): void => call.provisional(response);
        const base = { target: uri, from, destination: server, onProvisional, ...(options.headers ? { headers: options.headers } : {}), ...(require100rel ? { reliableProvisionals: 'required' as const } : {}), ...sessionTimer };
        if (session !== undefined && !lateOffer) {
          const media = new CallMedia(session, localAddress, hooks);
          return { invite: this.ua.invite({ ...base, sdp: media.offer(options.codecs) }), media };
        }
        // A delayed offer (`lateOffer`, as Cisco CUCM sends), or no RTP port bound yet (calls placed
        // back to back): offer nothing and answer the callee's offer in the ACK (RFC 3261 §13.2.1).
        let ready: CallMedia | undefined;
        const media = session !== undefined
          ? Promise.resolve((ready = new CallMedia(session, localAddress, hooks)))
          : CallMedia.open(localAddress, hooks).then((opened) => {
              if (opened.ok) return (ready = opened.value);
              logger.warn(`softphone ${username}: ${opened.error.message}`);
              return undefined;
            });
        const answer = (offer: string): string => {
          const answered = ready?.answerOffer(offer);
          if (answered?.ok) return answered.value;
          logger.warn(`softphone ${username}: no audio for the call to ${uri}: ${answered ? answered.error.message : 'the RTP socket was not ready'}`);
          // RFC 3264 §6: port 0 declines the stream; the call goes on without audio.
          return buildSdp({ address: localAddress, port: 0 });
        };
        return { invite: this.ua.invite({ ...base, answer }), media };
      },
    };
    const call = new SoftphoneCall(this.host, leg);
    this.track(call);
    return call;
  }

  /** The calls that have not ended, oldest first. */
  calls(): SoftphoneCall[] {
    return [...this.live];
  }

  /** How calls from now on are answered (a call already ringing keeps its plan). */
  setAutoAnswer(answer: AutoAnswer): void {
    this.autoAnswer = checkAutoAnswer(answer);
  }

  /** Hangs up every call (BYE, CANCEL, 603), unregisters, and closes the sockets. */
  stop(): Promise<void> {
    this.stopping ??= this.close({ unregister: true });
    return this.stopping;
  }

  private async close({ unregister }: { unregister: boolean }): Promise<void> {
    // Hang-ups and the unREGISTER go out together; the stack's grace bounds the wait for their answers.
    const hangups = Promise.allSettled([...this.live].map((call) => call.hangup()));
    const unregistering = this.registration?.stop({ unregister });
    await this.stack.close({ graceMs: STOP_GRACE_MS });
    // Calls whose BYE or CANCEL went unanswered end now, with their dialogs.
    this.ua.close();
    await Promise.all([hangups, unregistering]);
    await this.refilling;
    await this.spare?.stop();
    this.spare = undefined;
  }

  private receiveCall(invite: IncomingInvite): void {
    const call = new SoftphoneCall(this.host, { direction: 'incoming', invite });
    this.track(call);
    this.options.logger.info(`softphone ${this.username}: incoming call from ${call.remote} (${call.callId})`);
    const { status, afterMs } = this.autoAnswer;
    this.emit('incoming', call);
    // A listener may have answered or rejected it already.
    if (call.state !== 'ringing' || invite.state !== 'pending') return;
    if (status >= 300 && afterMs === 0) return call.reject(status);
    call.ring(status < 200 ? status : 180);
    if (status < 200) return;
    const decide = (): void => void (status === 200 ? call.answer() : call.reject(status));
    if (afterMs === 0) decide();
    else call.schedule(afterMs, decide);
  }

  private track(call: SoftphoneCall): void {
    if (call.state !== 'ended') this.live.add(call);
  }

  private targetUri(target: string): string {
    const trimmed = target.trim();
    const uri = /^sips?:/i.test(trimmed) ? trimmed : `sip:${trimmed}@${this.options.domain}`;
    if (parseUri(uri) === undefined || (!/^sips?:/i.test(trimmed) && !/^[^\s@:;<>?]+$/.test(trimmed))) {
      throw new TypeError(`Softphone.call: ${JSON.stringify(target)} is neither an extension (such as 200) nor a sip: URI`);
    }
    return uri;
  }

  private refill(): Promise<void> {
    if (this.spare !== undefined || this.refilling !== undefined) return this.refilling ?? Promise.resolve();
    this.refilling = openSession(this.options.localAddress).then(async (opened) => {
      this.refilling = undefined;
      if (!opened.ok) return this.options.logger.warn(`softphone ${this.username}: ${opened.error.message}`);
      if (this.stopping !== undefined) return opened.value.stop();
      this.spare = opened.value;
    });
    return this.refilling;
  }
}
