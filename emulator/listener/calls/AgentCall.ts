import { buildSdp, prompts, RtpSession, answerSdp, parseSdp, negotiateSdp, type PromptName } from '../../../media/index.js';
import type { RandomSource } from '../../../random/index.js';
import { answerUnhandled, type Dialog, type IncomingInvite, type IncomingRequest, type OutgoingInvite, parseDtmfRelay, parseNameAddr } from '../../../sip/index.js';
import type { CallRecord, Calls } from '../../core/calls.js';
import { wallClockMs } from '../../core/clock.js';
import type { FaultRules } from '../../core/FaultRules.js';
import type { LifecycleEvent } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logger.js';
import type { CallNoteEntry, EntryInit, Journal } from '../../journal/index.js';
import { AgentBehaviour, type AgentAction, type AgentConfig } from '../agent/AgentBehaviour.js';
import type { Refusal } from '../admission.js';
import { outboundFailure, rtpImpairment, withPbxRtpStop } from './rtpImpairment.js';

/** What the control API can do to a call the agent is on. */
export interface AgentCallHandle {
  utterance(text: string): void;
  dtmf(digits: string): void;
  hangup(): Promise<void>;
  refreshStats(): void;
}

/** An outbound call the agent places (`POST /public/sip-connections/{id}/call`). */
export interface OutboundLeg {
  callId: string;
  /** Our user (the connection's) and the callee's, as the call record shows them. */
  from: string;
  to: string;
  /** What the agent says first when the callee answers. */
  initialSpeech?: string;
  /** Sends the INVITE with our SDP offer. */
  invite(sdp: string): OutgoingInvite;
}

export interface AgentCallOptions {
  /** An inbound call: the caller's INVITE. */
  incoming?: IncomingInvite;
  /** An outbound call: whom to call and how. */
  outbound?: OutboundLeg;
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
  rtpStopsAfterMs?: (sipCallId: string) => number | undefined;
  /** Registers the call with the control plane while it lasts. */
  attach(recordId: string, handle: AgentCallHandle): () => void;
  /** Told once when the call ends, however it ends. */
  onEnd?: () => void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

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
  /** The other party, as the notes name it. */
  private readonly peer: 'caller' | 'callee';
  private pendingInvite: OutgoingInvite | undefined;

  constructor(private readonly options: AgentCallOptions) {
    const request = options.incoming?.request;
    this.peer = options.outbound ? 'callee' : 'caller';
    this.call = options.calls.open({
      callId: options.outbound?.callId ?? request?.headers.get('Call-ID') ?? 'unknown',
      from: options.outbound?.from ?? userOf(request?.headers.get('From')),
      to: options.outbound?.to ?? userOf(request?.headers.get('To')),
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
    if (this.options.outbound) return this.runOutbound(this.options.outbound);
    const { config } = this.options;
    const incoming = this.options.incoming!;
    this.note('sip', `INVITE from ${this.call.from} to ${this.call.to}`);
    incoming.on('cancelled', () => this.end('caller cancelled (487)'));
    if ('refuse' in config) {
      incoming.reject(480, { reason: 'Agent Not Reachable' });
      this.options.report({ type: 'errorLogged', code: 480, message: `Call from ${this.call.from} refused: ${config.refuse}` });
      return this.end(`refused with 480: ${config.refuse}`);
    }
    incoming.ring();
    this.note('sip', '180 Ringing');
    const rtp = await this.openRtp();
    if (!rtp) return void incoming.reject(500);
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
    if (answer.offerInAnswer) {
      // INVITE without SDP: our 200 held the offer, the caller's answer comes in the ACK.
      const ack = await incoming.acked;
      const remote = ack && ack.body.length ? parseSdp(ack.body.toString('utf8')) : undefined;
      const media = remote?.ok ? negotiateSdp(remote.value) : undefined;
      if (media?.ok) rtp.setRemote(media.value.remote);
    }
    return this.connected(rtp, dialog, (behaviour) => behaviour.answered());
  }

  /** An outbound call: INVITE with our offer through the connection's server; the answer's SDP sets where RTP goes. */
  private async runOutbound(leg: OutboundLeg): Promise<void> {
    const { config } = this.options;
    this.note('sip', `INVITE to ${leg.to} (outbound call)`);
    if ('refuse' in config) {
      this.options.report({ type: 'errorLogged', code: 480, message: `Outbound call to ${leg.to} not placed: ${config.refuse}` });
      return this.end(`not placed: ${config.refuse}`);
    }
    const rtp = await this.openRtp();
    if (!rtp) return;
    const offer = this.versioned((o) => buildSdp({ address: rtp.localAddress, port: rtp.localPort, ...o }));
    const invite = (this.pendingInvite = leg.invite(offer));
    const result = await invite.result;
    this.pendingInvite = undefined;
    if (!result.ok) {
      const message = `Outbound call to ${leg.to} failed: ${result.status} ${result.reason} (${outboundFailure(result.status)})`;
      this.note('sip', message);
      this.options.report({ type: 'errorLogged', code: result.status, message });
      await rtp.stop();
      return this.end(`${result.status} ${result.reason}`);
    }
    this.dialog = result.dialog;
    const remote = parseSdp(result.response.body.toString('utf8'));
    const media = remote.ok ? negotiateSdp(remote.value) : undefined;
    if (!media?.ok) {
      this.options.report({ type: 'errorLogged', code: 488, message: `Outbound call to ${leg.to}: the callee's SDP answer is unusable; hanging up` });
      return this.hangUp('no usable SDP answer');
    }
    rtp.setRemote(media.value.remote);
    this.call.codec = media.value.codec.name;
    this.note('sip', `200 OK: ${leg.to} answered (codec ${media.value.codec.name}, RTP to ${media.value.remote.address}:${media.value.remote.port})`);
    return this.connected(rtp, result.dialog, (behaviour) => behaviour.calleeAnswered(leg.initialSpeech));
  }

  private async openRtp(): Promise<RtpSession | undefined> {
    const opened = await RtpSession.open({ address: '127.0.0.1', rtpTimeoutMs: this.options.rtpTimeoutMs });
    if (!opened.ok) {
      this.end(`no RTP socket: ${opened.error.message}`);
      return undefined;
    }
    const rtp = (this.rtp = opened.value);
    const { calls } = this.options;
    const { callId } = this.call;
    rtp.tap = (direction, data, local, remote) => calls.captureRtpPacket(callId, direction, data, local, remote, wallClockMs());
    return rtp;
  }

  /** The call is up, inbound or outbound: the agent listens, speaks first and acts on what it hears. */
  private connected(rtp: RtpSession, dialog: Dialog, opening: (behaviour: AgentBehaviour) => AgentAction[]): void {
    this.options.report({ type: 'callStarted' });
    this.started = true;
    this.options.calls.setState(this.call, 'active', wallClockMs());
    this.detach = this.options.attach(this.call.id, {
      utterance: (text) => this.act(this.behaviour?.utterance(text, Date.now()) ?? []),
      dtmf: (digits) => [...digits].forEach((d) => this.heardDtmf(d, 'rfc4733')),
      hangup: () => this.hangUp('hung up through the control API'),
      refreshStats: () => this.refreshStats(),
    });
    // The agent's turn-taking needs each frame's level only: it listens to the encoded frames, so nothing decodes them.
    rtp.on('payload', (payload, codec, info) => this.act(this.behaviour?.payload(payload, codec, info.arrivalMs) ?? []));
    rtp.on('dtmf', (digit) => this.heardDtmf(digit.digit, 'rfc4733'));
    rtp.on('rtp-timeout', () => void this.hangUp(`no RTP from the ${this.peer} for ${this.options.rtpTimeoutMs} ms`));
    dialog.onRequest((request) => this.inDialog(request));
    void dialog.ended.then((termination) => this.end(termination.by === 'remote' ? `${this.peer} hung up (BYE)` : `dialog ended (${termination.by})`));

    if (this.options.overLimit) {
      // The vendor's documented behaviour at the concurrency limit: a short prompt, then hang up.
      this.note('agent', 'concurrency limit reached: playing "no agents available"');
      void this.say('noAgents', 'concurrent SIP call limit reached').then(() => this.hangUp('concurrent SIP call limit reached'));
      return;
    }
    this.behaviour = new AgentBehaviour(this.options.config as AgentConfig);
    const faulted = rtpImpairment({ faults: this.options.faults, connectionId: this.options.connectionId, random: this.options.random, callId: this.call.callId, note: (text) => this.note('media', text) });
    const impairment = withPbxRtpStop(faulted, this.options.rtpStopsAfterMs?.(this.call.callId), (text) => this.note('media', text));
    if (impairment) rtp.impairment = impairment;
    rtp.startSending();
    this.act(opening(this.behaviour));
  }

  private answerSdp(rtp: RtpSession): { sdp: string; offerInAnswer: boolean } | { reject: string } {
    const offer = this.options.incoming?.offer;
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
  private act(actions: readonly AgentAction[]): void {
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
    if (this.options.incoming?.state === 'pending') this.options.incoming.reject(480);
    this.pendingInvite?.cancel();
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
