import { buildSdp, prompts, RtpSession, answerSdp, parseSdp, negotiateSdp, type PromptName, type RtpImpairment } from '../../../media/index.js';
import type { RandomSource } from '../../../random/index.js';
import { answerUnhandled, type Dialog, type IncomingInvite, type IncomingRequest, parseDtmfRelay, parseNameAddr } from '../../../sip/index.js';
import type { CallRecord, Calls } from '../../core/calls.js';
import { wallClockMs } from '../../core/clock.js';
import type { FaultAction, FaultRules } from '../../core/FaultRules.js';
import type { LifecycleEvent } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logger.js';
import type { CallNoteEntry, EntryInit, Journal } from '../../journal/index.js';
import { AgentBehaviour, type AgentAction, type AgentConfig } from '../agent/AgentBehaviour.js';
import type { Refusal } from '../admission.js';

/** What the control API can do to a call the agent is on. */
export interface AgentCallHandle {
  utterance(text: string): void;
  dtmf(digits: string): void;
  hangup(): Promise<void>;
  refreshStats(): void;
}

export interface AgentCallOptions {
  incoming: IncomingInvite;
  connectionId: string;
  /** The SIP domain of the connection: the handoff goes to `sip:{transferExtension}@{domain}`. */
  domain: string;
  /** The agent's settings, or why the call must be refused (480 and the error log). */
  config: AgentConfig | Refusal;
  /** True when the project already has as many calls as it may. */
  overLimit: boolean;
  calls: Calls;
  /** Where the call's notes, turns, DTMF and transfer go (its timeline is a view of them). */
  journal: Journal;
  /** The SDP session id and RTP loss draw from it (seeded in reproducible runs). */
  random: RandomSource;
  /** `rtp` fault rules impair the call's audio (loss, jitter, one-way, stop). */
  faults: FaultRules;
  report(event: LifecycleEvent): void;
  logger: Logger;
  /** No RTP from the caller for this long ends the call. */
  rtpTimeoutMs: number;
  /** The PBX stops passing the caller's RTP this long after the answer (its rtpStopsAfterMs quirk); asked once, at the answer. */
  rtpStopsAfterMs?: () => number | undefined;
  /** Registers the call with the control plane while it lasts. */
  attach(recordId: string, handle: AgentCallHandle): () => void;
  /** Told once when the call ends, however it ends. */
  onEnd?: () => void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function describeRtpFault(action: FaultAction): string {
  switch (action.type) {
    case 'loss':
      return `${action.percent}% packet loss`;
    case 'jitter':
      return `up to ${action.ms} ms of jitter`;
    case 'mute':
      return 'one-way audio (every packet lost)';
    case 'stop':
      return `RTP stops ${action.afterMs} ms after the answer`;
    default:
      return action.type;
  }
}

const userOf = (value: string | undefined) => (value ? (parseNameAddr(value)?.uri.user ?? value) : 'unknown');

/**
 * The agent on one call: answers (100, 180, 200 with SDP), greets with real RTP audio, takes
 * turns from voice-activity detection, hears DTMF (RFC 4733 and INFO) and simulated utterances,
 * and hands the caller off with REFER when the SIP channel config allows it.
 */
export class AgentCall {
  private readonly call: CallRecord;
  private rtp: RtpSession | undefined;
  private dialog: Dialog | undefined;
  private behaviour: AgentBehaviour | undefined;
  private speaking: Promise<unknown> = Promise.resolve();
  private started = false;
  private ended = false;
  private detach: () => void = () => undefined;
  /** RFC 3264 §5: one o= session id for the whole call; the version goes up with each change (§8). */
  private readonly sdpSessionId: number;
  private sdpVersion = 0;
  private lastSdpBody: string | undefined;

  constructor(private readonly options: AgentCallOptions) {
    const { request } = options.incoming;
    this.call = options.calls.open({
      callId: request.headers.get('Call-ID') ?? 'unknown',
      from: userOf(request.headers.get('From')),
      to: userOf(request.headers.get('To')),
      connectionId: options.connectionId,
      at: wallClockMs(),
    });
    this.sdpSessionId = 1 + (options.random.bytes(4).readUInt32LE(0) % 0x7fff_ffff);
  }

  get callRecord(): CallRecord {
    return this.call;
  }

  /** Runs the call to its end. Never throws: failures end the call and are recorded. */
  async run(): Promise<void> {
    const { incoming, config } = this.options;
    this.note('sip', `INVITE from ${this.call.from} to ${this.call.to}`);
    incoming.on('cancelled', () => this.end('caller cancelled (487)'));
    if ('refuse' in config) {
      incoming.reject(480, { reason: 'Agent Not Reachable' });
      this.options.report({ type: 'errorLogged', code: 480, message: `Call from ${this.call.from} refused: ${config.refuse}` });
      return this.end(`refused with 480: ${config.refuse}`);
    }
    incoming.ring();
    this.note('sip', '180 Ringing');
    const opened = await RtpSession.open({ address: '127.0.0.1', rtpTimeoutMs: this.options.rtpTimeoutMs });
    if (!opened.ok) {
      incoming.reject(500);
      return this.end(`no RTP socket: ${opened.error.message}`);
    }
    const rtp = (this.rtp = opened.value);
    rtp.on('packet', (packet) => this.options.calls.captureRtp(this.call.callId, packet, wallClockMs()));
    const answer = this.answerSdp(rtp);
    if ('reject' in answer) {
      incoming.reject(488);
      this.note('sip', `488 Not Acceptable Here (${answer.reject})`);
      await rtp.stop();
      return this.end(`488: ${answer.reject}`);
    }
    const dialog = incoming.answer({ sdp: answer.sdp });
    if (!dialog) return this.end('caller cancelled (487)');
    this.dialog = dialog;
    this.note('sip', '200 OK with SDP answer');
    this.options.report({ type: 'callStarted' });
    this.started = true;
    this.options.calls.setState(this.call, 'active', wallClockMs());
    this.detach = this.options.attach(this.call.id, {
      utterance: (text) => this.act(this.behaviour?.utterance(text, Date.now()) ?? []),
      dtmf: (digits) => [...digits].forEach((d) => this.heardDtmf(d, 'rfc4733')),
      hangup: () => this.hangUp('hung up through the control API'),
      refreshStats: () => this.refreshStats(),
    });

    if (answer.offerInAnswer) {
      // INVITE without SDP: our 200 held the offer, the caller's answer comes in the ACK.
      const ack = await incoming.acked;
      const remote = ack && ack.body.length ? parseSdp(ack.body.toString('utf8')) : undefined;
      const media = remote?.ok ? negotiateSdp(remote.value) : undefined;
      if (media?.ok) rtp.setRemote(media.value.remote);
    }
    rtp.on('audio', (pcm, info) => this.act(this.behaviour?.audio(pcm, info.arrivalMs) ?? []));
    rtp.on('dtmf', (digit) => this.heardDtmf(digit.digit, 'rfc4733'));
    rtp.on('rtp-timeout', () => void this.hangUp(`no RTP from the caller for ${this.options.rtpTimeoutMs} ms`));
    dialog.onRequest((request) => this.inDialog(request));
    void dialog.ended.then((termination) => this.end(termination.by === 'remote' ? 'caller hung up (BYE)' : `dialog ended (${termination.by})`));

    if (this.options.overLimit) {
      // The vendor's documented behaviour at the concurrency limit: a short prompt, then hang up.
      this.note('agent', 'concurrency limit reached: playing "no agents available"');
      await this.say('noAgents', 'concurrent SIP call limit reached');
      return this.hangUp('concurrent SIP call limit reached');
    }
    this.behaviour = new AgentBehaviour(this.options.config as AgentConfig);
    this.impair(rtp);
    rtp.startSending();
    this.act(this.behaviour.answered());
  }

  /**
   * Applies the `rtp` fault rules that fire for this call, once, for its whole length. The PBX's
   * `rtpStopsAfterMs` quirk acts here too: the built-in PBX only signals, so a media-anchoring PBX
   * whose relay stops forwarding is emulated where its effect lands, the agent's RTP socket.
   */
  private impair(rtp: RtpSession): void {
    const { faults, connectionId } = this.options;
    const stopsAfterMs = this.options.rtpStopsAfterMs?.();
    if (stopsAfterMs !== undefined) {
      const answered = performance.now();
      rtp.impairment = { dropIn: () => performance.now() - answered >= stopsAfterMs };
      this.note('media', `PBX quirk rtpStopsAfterMs: the PBX's media relay stops passing the caller's RTP ${stopsAfterMs} ms after the answer`);
    }
    if (!faults.hasRulesFor('rtp')) return;
    const toAgent = faults.check({ target: 'rtp', connectionId, direction: 'toAgent' });
    const fromAgent = faults.check({ target: 'rtp', connectionId, direction: 'fromAgent' });
    if (!toAgent && !fromAgent) return;
    const random = this.options.random.fork(`rtp:${this.call.callId}`);
    const answered = performance.now();
    const dropper = (action: FaultAction): (() => boolean) | undefined => {
      if (action.type === 'mute') return () => true;
      if (action.type === 'loss') return () => random.float() * 100 < action.percent;
      if (action.type === 'stop') return () => performance.now() - answered >= action.afterMs;
      return undefined;
    };
    const impairment: RtpImpairment = { ...rtp.impairment };
    if (toAgent) {
      const drop = dropper(toAgent.action);
      if (drop) impairment.dropIn = drop;
      this.note('media', `fault rule ${toAgent.rule.id}: ${describeRtpFault(toAgent.action)} on the caller's audio to the agent`);
    }
    if (fromAgent) {
      const drop = dropper(fromAgent.action);
      if (drop) impairment.dropOut = drop;
      const action = fromAgent.action;
      if (action.type === 'jitter') impairment.delayOutMs = () => random.float() * action.ms;
      this.note('media', `fault rule ${fromAgent.rule.id}: ${describeRtpFault(action)} on the agent's audio to the caller`);
    }
    rtp.impairment = impairment;
  }

  private answerSdp(rtp: RtpSession): { sdp: string; offerInAnswer: boolean } | { reject: string } {
    const offer = this.options.incoming.offer;
    if (offer === undefined) return { sdp: this.versioned((o) => buildSdp({ address: rtp.localAddress, port: rtp.localPort, ...o })), offerInAnswer: true };
    let answered: ReturnType<typeof answerSdp> | undefined;
    const sdp = this.versioned((o) => {
      answered = answerSdp(offer, { address: rtp.localAddress, port: rtp.localPort, ...o });
      return answered.ok ? answered.value.sdp : '';
    });
    if (!answered!.ok) return { reject: answered!.error.message };
    const media = answered!.value.media;
    rtp.setRemote(media.remote);
    this.call.codec = media.codec.name;
    this.note('media', `codec ${media.codec.name}, RTP to ${media.remote.address}:${media.remote.port}`);
    return { sdp, offerInAnswer: false };
  }

  /**
   * Builds our next SDP with the call's session id, and a version that goes up only when the
   * session changed (RFC 3264 §8): a hold, then a resume, are two versions even within one second.
   */
  private versioned(build: (origin: { sessionId: number; sessionVersion: number }) => string): string {
    const candidate = build({ sessionId: this.sdpSessionId, sessionVersion: this.sdpVersion + 1 });
    const body = candidate.replace(/^o=.*$/m, '');
    if (this.lastSdpBody !== undefined && body === this.lastSdpBody) return build({ sessionId: this.sdpSessionId, sessionVersion: this.sdpVersion });
    this.sdpVersion += 1;
    this.lastSdpBody = body;
    return candidate;
  }

  private inDialog(incoming: IncomingRequest): void {
    const { request } = incoming;
    if (request.method === 'INFO') {
      const relay = parseDtmfRelay(request);
      if (!relay) return void incoming.respond(415);
      incoming.respond(200);
      return this.heardDtmf(relay.signal, 'info');
    }
    if (request.method === 'INVITE') {
      // re-INVITE: hold and resume. Answer the new offer with the matching direction.
      const offer = request.body.toString('utf8');
      const rtp = this.rtp;
      let answered: ReturnType<typeof answerSdp> | undefined;
      const sdp = rtp && offer ? this.versioned((o) => {
        answered = answerSdp(offer, { address: rtp.localAddress, port: rtp.localPort, ...o });
        return answered.ok ? answered.value.sdp : '';
      }) : undefined;
      if (answered && !answered.ok) return void incoming.respond(488);
      if (answered?.ok) this.note('sip', `re-INVITE: ${answered.value.media.onHold ? 'caller put the call on hold' : 'caller resumed'}`);
      return void incoming.respond(200, answered?.ok && sdp ? { body: sdp, contentType: 'application/sdp' } : {});
    }
    if (request.method === 'OPTIONS') return void incoming.respond(200);
    answerUnhandled(incoming, 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY');
  }

  private heardDtmf(digit: string, method: 'rfc4733' | 'info'): void {
    this.record({ kind: 'dtmf', digit, method, heardBy: 'agent' });
    this.act(this.behaviour?.dtmf(digit, Date.now()) ?? []);
  }

  /** Carries out the agent's actions in order: prompts queue up; a transfer waits for the prompt before it. */
  private act(actions: AgentAction[]): void {
    for (const action of actions) {
      if (action.type === 'heard') {
        this.call.agentTurns.push({ at: action.atMs > 1e12 ? action.atMs : Date.now(), heard: action.what });
        this.record({ kind: 'agent.turn', heard: action.what });
      } else if (action.type === 'say') {
        void this.say(action.prompt, action.why);
      } else {
        void this.transfer(action.extension, action.why);
      }
    }
  }

  private say(prompt: PromptName, why: string): Promise<unknown> {
    this.speaking = this.speaking.then(async () => {
      if (this.ended || !this.rtp) return;
      this.call.agentTurns.push({ at: Date.now(), said: prompt });
      this.record({ kind: 'agent.turn', said: prompt, why });
      await this.rtp.play(prompts[prompt]());
    });
    return this.speaking;
  }

  private async transfer(extension: string, why: string): Promise<void> {
    const dialog = this.dialog;
    if (!dialog) return;
    const target = `sip:${extension}@${this.options.domain}`;
    this.call.transfer = { target, status: null, outcome: 'pending' };
    this.options.calls.setState(this.call, 'transferring', wallClockMs(), why);
    await this.speaking;
    if (this.ended) return;
    this.record({ kind: 'transfer', phase: 'refer', target, text: `REFER to ${target}` });
    const refer = dialog.refer(target);
    refer.on('progress', (frag) => this.record({ kind: 'transfer', phase: 'notify', target, status: frag.status, text: `NOTIFY: ${frag.statusLine}` }));
    // RFC 6665 §4.1.2.4: a NOTIFY may come before the REFER's 2xx (lost, or overtaken), and then
    // stands for it; waiting for the 202 would hold the handoff until Timer F and call it a failure.
    const notified = new Promise<'notified'>((resolve) => refer.once('progress', () => resolve('notified')));
    const accepted = await Promise.race([refer.accepted, notified]);
    if (accepted !== 'notified' && (!accepted.ok || accepted.response.status >= 300)) {
      const status = accepted.ok ? accepted.response.status : 408;
      return this.transferFailed(status, accepted.ok ? `REFER refused: ${accepted.response.status} ${accepted.response.reason}` : 'REFER got no answer');
    }
    const outcome = await refer.outcome;
    if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) {
      this.call.transfer = { target, status: outcome.status, outcome: 'succeeded' };
      this.record({ kind: 'transfer', phase: 'succeeded', target, status: outcome.status, text: `transfer to ${target} succeeded (${outcome.statusLine ?? outcome.status}); hanging up` });
      return this.hangUp(`transferred to ${extension}`);
    }
    // RFC 3515 §2.4.5: only a final status in a NOTIFY ends the transfer; a subscription that ran
    // out on "100 Trying" (or none at all) is a timeout, like a request nobody answered (§8.1.3.1).
    if (outcome.status === undefined || outcome.status < 200) {
      const last = outcome.statusLine ? `; the last said ${outcome.statusLine}` : '';
      return this.transferFailed(408, `transfer to ${target} timed out (no final NOTIFY${last})`);
    }
    return this.transferFailed(outcome.status, `transfer to ${target} failed: ${outcome.statusLine ?? outcome.status}`);
  }

  private transferFailed(status: number, message: string): void {
    if (this.ended) return;
    const target = this.call.transfer?.target ?? '';
    this.call.transfer = { target, status, outcome: 'failed' };
    this.record({ kind: 'transfer', phase: 'failed', target, status, text: message });
    this.options.report({ type: 'errorLogged', code: status, message: `Human handoff failed: ${message}` });
    this.options.calls.setState(this.call, 'active', wallClockMs(), `transfer failed with ${status}`);
    this.act(this.behaviour?.transferFailed(status) ?? []);
  }

  /**
   * Ends the call from our side because the listener is stopping: BYE when it is up, and the RTP
   * stops. The BYE's answer is not awaited here: the peer may be going away too (an emulator
   * shutting down stops its softphones at the same time); the listener's stack gives it a short grace.
   */
  stop(reason: string): void {
    if (this.dialog) {
      void this.hangUp(reason);
      return;
    }
    if (this.options.incoming.state === 'pending') this.options.incoming.reject(480);
    this.end(reason);
  }

  private async hangUp(reason: string): Promise<void> {
    if (this.ended) return;
    this.note('sip', `BYE (${reason})`);
    const dialog = this.dialog;
    this.end(reason);
    await dialog?.bye();
  }

  private refreshStats(): void {
    if (!this.rtp) return;
    const stats = this.rtp.stats();
    this.call.rtp = { packetsSent: stats.packetsSent, packetsReceived: stats.packetsReceived, packetsLost: stats.packetsLost, jitterMs: stats.jitterMs };
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.refreshStats();
    this.detach();
    this.options.calls.setState(this.call, 'ended', wallClockMs(), reason);
    this.options.logger.info(`call ${this.call.id} (${this.call.from} → ${this.call.to}) ended: ${reason}`);
    if (this.started) this.options.report({ type: 'callEnded' });
    void this.rtp?.stop();
    this.options.onEnd?.();
  }

  /** Puts an entry about this call in the journal: its timeline is a view of these. */
  private record(init: DistributiveOmit<EntryInit & { kind: 'call.note' | 'agent.turn' | 'dtmf' | 'transfer' }, 'callId' | 'sipCallId' | 'connectionId'>): void {
    this.options.journal.record({ ...init, callId: this.call.id, sipCallId: this.call.callId, connectionId: this.options.connectionId } as EntryInit);
  }

  private note(topic: CallNoteEntry['topic'], text: string): void {
    this.record({ kind: 'call.note', topic, text });
  }
}
