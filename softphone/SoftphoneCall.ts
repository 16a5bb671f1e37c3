import { EventEmitter } from 'node:events';
import { sine, type MediaError } from '../media/index.js';
import { type Dialog, type DialogTermination, dtmfRelay, formatUri, type IncomingInvite, type OutgoingInvite, parseNameAddr, reasonPhrase, type SipResponse } from '../sip/index.js';
import { CallMedia, type CallMediaHooks, type CallRtpStats } from './CallMedia.js';
import { receiveInCall } from './receiveInCall.js';
import type { ResolvedSoftphoneOptions } from './SoftphoneOptions.js';
import { followRefer } from './followRefer.js';

export type CallState = 'calling' | 'ringing' | 'active' | 'ended';

/**
 * Why a call ended: `hangup` we hung up (BYE), `remote-hangup` the peer did, `cancelled` the
 * INVITE was cancelled before the answer (by us or by the caller; status 487), `rejected` a final
 * failure status (ours or theirs), `transferred` we followed a REFER and the original call then
 * ended, `failed` no usable media or no answer at all (status 408/503/488), `gone` an in-dialog
 * request found the peer gone (408/481/503), `no-ack` our 200 was never acknowledged, `closed`
 * the softphone stopped.
 */
export type CallEndReason = 'hangup' | 'remote-hangup' | 'cancelled' | 'rejected' | 'transferred' | 'failed' | 'gone' | 'no-ack' | 'closed';

export interface CallEnd {
  reason: CallEndReason;
  status?: number;
}

export type CallAnswer = { ok: true } | { ok: false; status: number; reason: string };

export interface SoftphoneCallEvents {
  state: [state: CallState];
  answered: [];
  ended: [end: CallEnd];
  dtmf: [digit: string];
  /** Each 20 ms frame heard (8 kHz mono), as it arrives; `recording()` has them all in place. */
  audio: [pcm: Int16Array];
  refer: [refer: { referTo: string }];
  transferred: [newCall: SoftphoneCall];
  /** The transfer's new call was refused or not answered: we stay in this call. */
  'transfer-failed': [failure: { target: string; status: number; reason: string }];
  /** The peer put the call on hold (true) or resumed it (false). */
  hold: [onHold: boolean];
}

/** @internal What a call needs from its softphone. */
export interface CallHost {
  readonly options: ResolvedSoftphoneOptions;
  /** Places a call through the server (a transfer's new call). */
  call(target: string, options?: { headers?: Array<[string, string]>; lateOffer?: boolean; require100rel?: boolean; sessionExpires?: number }): SoftphoneCall;
  ended(call: SoftphoneCall): void;
}

/** @internal How a call starts: our INVITE, or the peer's. */
export type CallLeg =
  | { direction: 'outgoing'; remote: string; setup?: CallSetup; start(call: SoftphoneCall, media: CallMediaHooks): { invite: OutgoingInvite; media: CallMedia | Promise<CallMedia | undefined> } }
  | { direction: 'incoming'; invite: IncomingInvite };

/** How an outgoing call was set up (delayed offer, 100rel, session timers): a transfer's new call is set up the same way. */
export interface CallSetup {
  lateOffer?: boolean;
  require100rel?: boolean;
  sessionExpires?: number;
}

const DTMF_DIGITS = /^[0-9*#A-D]+$/i;

/**
 * One call of a Softphone, placed (`softphone.call`) or received (`incoming`). It carries audio
 * both ways (silence unless something plays), records what it hears, sends and receives DTMF
 * (RFC 4733 or SIP INFO), answers hold and resume, and as transferee follows a REFER.
 *
 * @example
 * const call = phone.call('101');
 * const answer = await call.answered;
 * if (!answer.ok) return console.log(`refused: ${answer.status} ${answer.reason}`);
 * await call.playTone(1000, 500);
 * await call.sendDtmf('0');
 * await call.hangup();
 * writeWavFile('heard.wav', call.recording());
 */
export class SoftphoneCall extends EventEmitter<SoftphoneCallEvents> {
  readonly callId: string;
  readonly direction: 'outgoing' | 'incoming';
  /** The peer's URI: whom we called, or who called us. */
  readonly remote: string;
  readonly answered: Promise<CallAnswer>;
  readonly ended: Promise<CallEnd>;
  /** @internal How this call was set up, when we placed it; the call that follows a REFER copies it. */
  readonly setup: CallSetup;
  private current: CallState;
  private media: CallMedia | undefined;
  private mediaPending: Promise<CallMedia | undefined> | undefined;
  private dialog: Dialog | undefined;
  private readonly outgoing: OutgoingInvite | undefined;
  private readonly incoming: IncomingInvite | undefined;
  private answering = false;
  /** Our INVITE carried the offer, so the 2xx (or a 183) carries the answer; else we answered in the ACK. */
  private offerSent = false;
  private hangupRequested = false;
  /** @internal Set once the transfer's new call was answered: the original then ends as `transferred`. */
  transferredTo: SoftphoneCall | undefined;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private resolveAnswered!: (answer: CallAnswer) => void;
  private resolveEnded!: (end: CallEnd) => void;

  /** @internal Built by Softphone. */
  constructor(
    private readonly host: CallHost,
    leg: CallLeg,
  ) {
    super();
    this.answered = new Promise((resolve) => (this.resolveAnswered = resolve));
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.direction = leg.direction;
    const hooks = this.mediaHooks();
    if (leg.direction === 'outgoing') {
      this.current = 'calling';
      this.remote = leg.remote;
      this.setup = leg.setup ?? {};
      const started = leg.start(this, hooks);
      this.outgoing = started.invite;
      this.callId = started.invite.callId;
      this.offerSent = started.media instanceof CallMedia;
      if (started.media instanceof CallMedia) this.adoptMedia(started.media);
      else this.mediaPending = started.media.then((media) => (media === undefined ? undefined : this.adoptMedia(media)));
      void started.invite.result.then((result) => this.settleOutgoing(result));
    } else {
      this.current = 'ringing';
      this.setup = {};
      this.incoming = leg.invite;
      this.callId = leg.invite.request.headers.get('Call-ID') ?? '';
      this.remote = uriOf(leg.invite.request.headers.get('From') ?? '');
      leg.invite.on('cancelled', () => this.finish({ reason: 'cancelled', status: 487 }, { ok: false, status: 487, reason: 'Request Terminated (the caller cancelled)' }));
    }
  }

  get state(): CallState {
    return this.current;
  }

  /** Sends digits once the call is active: RFC 4733 events in the RTP stream (SIP INFO if the peer takes no telephone-event), or SIP INFO. */
  async sendDtmf(digits: string, method: 'rfc4733' | 'info' = 'rfc4733'): Promise<void> {
    if (!DTMF_DIGITS.test(digits)) throw new TypeError(`SoftphoneCall.sendDtmf: ${JSON.stringify(digits)} is not a string of DTMF digits (0-9, *, #, A-D)`);
    if (this.current !== 'active' || this.dialog === undefined) throw new Error(`SoftphoneCall.sendDtmf: the call is ${this.current}; DTMF needs an answered call`);
    if (method === 'rfc4733' && this.media?.telephoneEvents) return this.media.sendDtmf(digits.toUpperCase());
    if (method === 'rfc4733') this.host.options.logger.warn(`softphone ${this.host.options.username}: the peer takes no telephone-event; sending ${digits} as SIP INFO`);
    for (const digit of digits.toUpperCase()) {
      const result = await this.dialog.request('INFO', dtmfRelay(digit, 160));
      if (!result.ok || result.response.status >= 300) {
        const why = result.ok ? `${result.response.status} ${result.response.reason}` : result.reason;
        this.host.options.logger.warn(`softphone ${this.host.options.username}: INFO with DTMF ${digit} failed: ${why}`);
        return;
      }
    }
  }

  /** Speaks `pcm` (8 kHz mono) once the call is active; resolves when it has been sent or the call ended. */
  async play(pcm: Int16Array): Promise<void> {
    const answer = this.current === 'active' ? { ok: true } : await Promise.race([this.answered, this.ended.then(() => ({ ok: false }))]);
    if (!answer.ok || this.current !== 'active') return;
    const media = this.media ?? (await this.mediaPending);
    await media?.play(pcm);
  }

  playTone(frequency: number, durationMs: number, amplitude = 0.3): Promise<void> {
    return this.play(sine(frequency, { durationMs, amplitude }));
  }

  /** Everything heard so far, 8 kHz mono, time-aligned from the answer (gaps are silence). */
  recording(): Int16Array {
    return this.media?.recorder.recording() ?? new Int16Array(0);
  }

  rtpStats(): CallRtpStats | undefined {
    return this.media?.stats();
  }

  /** CANCEL while calling or ringing (603 Decline to a call we have not answered), BYE when active. Resolves when the call has ended. */
  async hangup(): Promise<void> {
    if (this.current === 'ended') return;
    this.hangupRequested = true;
    if (this.dialog !== undefined) void this.dialog.bye();
    else if (this.outgoing !== undefined) this.outgoing.cancel();
    else if (this.incoming !== undefined && !this.answering) this.reject(603);
    await this.ended;
  }

  /** Sends 180 Ringing (or 183) to an incoming call not yet answered. */
  ring(status = 180): void {
    this.incoming?.ring({ status });
  }

  /**
   * Answers an incoming call: 200 with our SDP answer, or 488 when no codec is common
   * (RFC 3261 §13.3.1.1). Resolves with the outcome, as `answered` does.
   */
  async answer(): Promise<CallAnswer> {
    const invite = this.incoming;
    if (invite === undefined || this.answering || invite.state !== 'pending') return this.answered;
    this.answering = true;
    const media = await CallMedia.open(this.host.options.localAddress, this.mediaHooks());
    if (!media.ok) {
      this.host.options.logger.warn(`softphone ${this.host.options.username}: ${media.error.message}`);
      this.reject(500);
      return this.answered;
    }
    this.adoptMedia(media.value);
    const sdp = invite.offer === undefined ? media.value.offer() : media.value.answerOffer(invite.offer);
    if (typeof sdp !== 'string' && !sdp.ok) {
      this.host.options.logger.info(`softphone ${this.host.options.username}: 488 to ${this.remote}: ${sdp.error.message}`);
      this.reject(488);
      return this.answered;
    }
    const dialog = invite.answer({ sdp: typeof sdp === 'string' ? sdp : sdp.value });
    if (dialog === undefined) return this.answered;
    if (invite.offer === undefined) void invite.acked.then((ack) => ack && ack.body.length > 0 && this.media?.acceptAnswer(ack.body.toString('utf8')));
    this.connect(dialog);
    if (this.hangupRequested) void dialog.bye();
    return this.answered;
  }

  /** Rejects an incoming call not yet answered (486 Busy Here by default). */
  reject(status = 486): void {
    const invite = this.incoming;
    if (invite === undefined || !invite.reject(status)) return;
    this.finish({ reason: 'rejected', status }, { ok: false, status, reason: reasonPhrase(status) });
  }

  /** @internal Runs `callback` after `ms` unless the call has ended by then. */
  schedule(ms: number, callback: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.current !== 'ended') callback();
    }, ms);
    this.timers.add(timer);
  }

  /** @internal A provisional response to our INVITE: 180/183 ring; a 183 with SDP brings early media. */
  provisional(response: SipResponse): void {
    if (response.status === 100 || this.current === 'ended') return;
    if (this.offerSent && response.body.length > 0) this.media?.acceptAnswer(response.body.toString('utf8'));
    this.setState('ringing');
  }

  private settleOutgoing(result: Awaited<OutgoingInvite['result']>): void {
    if (!result.ok) {
      const reason: CallEndReason = result.status === 487 && this.hangupRequested ? 'cancelled' : result.status === 408 || result.status === 503 ? 'failed' : 'rejected';
      this.finish({ reason, status: result.status }, { ok: false, status: result.status, reason: result.reason });
      return;
    }
    const body = result.response.body.toString('utf8');
    const media = this.media;
    if (this.offerSent && media !== undefined && result.response.body.length > 0) {
      const accepted = media.acceptAnswer(body);
      if (!accepted.ok) {
        // RFC 3264 §5: an answer we cannot use leaves us nothing to say; end the call.
        this.host.options.logger.warn(`softphone ${this.host.options.username}: hanging up ${this.remote}: ${accepted.error.message}`);
        void result.dialog.bye();
        this.finish({ reason: 'failed', status: 488 }, { ok: false, status: 488, reason: 'Not Acceptable Here (no usable SDP answer)' });
        return;
      }
    }
    this.connect(result.dialog);
    if (this.hangupRequested) void result.dialog.bye();
  }

  /** The call is answered: the dialog is up and media flows. */
  private connect(dialog: Dialog): void {
    this.dialog = dialog;
    dialog.on('terminated', (termination) => this.finish(this.endOf(termination)));
    dialog.onRequest((incoming) => receiveInCall(incoming, dialog, { media: () => this.media, dtmf: (digit) => this.emit('dtmf', digit) }));
    dialog.onRefer((refer) => followRefer(this, refer, this.host));
    if (dialog.state === 'terminated') return this.finish(this.endOf({ by: 'local', cause: 'closed' }));
    this.media?.startRecording();
    this.setState('active');
    this.resolveAnswered({ ok: true });
    this.emit('answered');
  }

  private adoptMedia(media: CallMedia): CallMedia {
    media.callId = this.callId;
    this.media = media;
    if (this.current === 'ended') void media.stop();
    return media;
  }

  private mediaHooks(): CallMediaHooks {
    return {
      audio: (pcm) => this.emit('audio', pcm),
      dtmf: (digit) => this.emit('dtmf', digit),
      hold: (onHold) => this.emit('hold', onHold),
      failed: (error: MediaError) => {
        this.host.options.logger.warn(`softphone ${this.host.options.username}: call ${this.callId} has no audio: ${error.message}`);
        void this.hangup();
      },
      rtpPacket: this.host.options.onRtpPacket,
      random: this.host.options.random,
    };
  }

  private endOf(termination: DialogTermination): CallEnd {
    if (this.transferredTo !== undefined) return { reason: 'transferred' };
    if (termination.cause === 'bye') return { reason: termination.by === 'local' ? 'hangup' : 'remote-hangup' };
    if (termination.cause === 'gone') return { reason: 'gone', status: termination.status };
    return { reason: termination.cause === 'no-ack' ? 'no-ack' : 'closed' };
  }

  private setState(state: CallState): void {
    if (this.current === state || this.current === 'ended') return;
    this.current = state;
    this.emit('state', state);
  }

  private finish(end: CallEnd, answer?: CallAnswer): void {
    if (this.current === 'ended') return;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.resolveAnswered(answer ?? { ok: false, status: end.status ?? 487, reason: `ended before the answer (${end.reason})` });
    this.setState('ended');
    void this.media?.stop();
    void this.mediaPending?.then((media) => media?.stop());
    this.host.ended(this);
    this.resolveEnded(end);
    this.emit('ended', end);
  }
}

function uriOf(value: string): string {
  const parsed = parseNameAddr(value);
  return parsed === undefined ? value : formatUri(parsed.uri);
}
