import type { RandomSource } from '../random/index.js';
import {
  answerSdp,
  buildSdp,
  negotiateSdp,
  parseSdp,
  PCMU,
  realMediaClock,
  RtpSession,
  type G711Codec,
  type MediaError,
  type NegotiatedMedia,
  type PlayOutcome,
  type Result,
  type SdpCodec,
  type RtpEndpoint,
} from '../media/index.js';
import { CallRecorder } from './CallRecorder.js';

/** The telephone-event payload type we offer (RFC 4733 §7.1.1, dynamic). */
const OUR_TELEPHONE_EVENT_PT = 101;

/** What the call learns from its media. */
export interface CallMediaHooks {
  /** Each decoded 20 ms frame heard, after it went into the recording. */
  audio(pcm: Int16Array): void;
  dtmf(digit: string): void;
  /** The peer put us on hold (true) or took us off it (false), RFC 3264 §8.4. */
  hold(onHold: boolean): void;
  /** The RTP socket could not be re-bound after a codec change: the call cannot carry audio. */
  failed(error: MediaError): void;
  /** Told of every RTP packet, with the call's SIP Call-ID; undefined when nobody captures. */
  rtpPacket: ((callId: string, packet: RtpPacketSeen) => void) | undefined;
  /** Draws the SDP session id (RFC 3264 §5: o= session id), seeded in reproducible runs. */
  random: RandomSource;
}

/** What an RTP session reports of each packet it sends or receives (see RtpPacketTap). */
export interface RtpPacketSeen {
  readonly direction: 'in' | 'out';
  /** A sent packet's bytes are the session's reusable slot: copy them to keep them. */
  readonly data: Uint8Array;
  readonly local: RtpEndpoint;
  readonly remote: RtpEndpoint;
}

export interface CallRtpStats {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  jitterMs: number;
}

/**
 * The audio of one call: its RTP session, the SDP offer/answer around it (RFC 3264) and the
 * recording of what it hears. Sessions are opened sending PCMU with telephone-event 101, the
 * first of our offer; when the negotiation picks something else (PCMA, another payload type) the
 * session is re-bound on the same port with those, since an RtpSession's send codec is fixed.
 */
export class CallMedia {
  readonly recorder = new CallRecorder();
  /** The SIP Call-ID, for captured RTP packets. */
  callId: string | undefined;
  private session: RtpSession;
  private negotiated: NegotiatedMedia | undefined;
  private readonly sdpSessionId: number;
  private sdpVersion = 0;
  private onHold = false;
  /** Settles when a re-bind (codec change) is over; sending waits for it. */
  private ready: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    session: RtpSession,
    private readonly address: string,
    private readonly hooks: CallMediaHooks,
  ) {
    this.session = session;
    this.sdpSessionId = 1 + (hooks.random.bytes(4).readUInt32LE(0) % 0x7fff_ffff);
    this.attach(session);
  }

  /** Opens a session on `address`, any free port. */
  static async open(address: string, hooks: CallMediaHooks): Promise<Result<CallMedia>> {
    const opened = await openSession(address);
    return opened.ok ? { ok: true, value: new CallMedia(opened.value, address, hooks) } : opened;
  }

  get localPort(): number {
    return this.session.localPort;
  }

  /** Our offer: PCMU, PCMA, telephone-event (RFC 3264 §5); each call bumps the o= version (§8). */
  /** Our SDP offer: PCMU and PCMA (or the given codecs, in order) and telephone-event. */
  offer(codecs?: readonly SdpCodec[]): string {
    return buildSdp({ address: this.address, port: this.session.localPort, sessionId: this.sdpSessionId, sessionVersion: ++this.sdpVersion, username: 'omnisip-softphone', ...(codecs && { codecs }) });
  }

  /** The peer's answer to our offer. No common codec is an error value (the caller hangs up). */
  acceptAnswer(sdp: string): Result<NegotiatedMedia> {
    const parsed = parseSdp(sdp);
    if (!parsed.ok) return parsed;
    const negotiated = negotiateSdp(parsed.value);
    if (negotiated.ok) this.apply(negotiated.value);
    return negotiated;
  }

  /**
   * Answers the peer's offer (initial, or a re-INVITE's, e.g. hold with a=sendonly answered
   * recvonly). Once the call has a codec, a re-offer must keep it. An error value means 488.
   */
  answerOffer(offer: string): Result<string> {
    const codecs: G711Codec[] | undefined = this.negotiated === undefined ? undefined : [this.negotiated.codec];
    const answered = answerSdp(offer, { address: this.address, port: this.session.localPort, sessionId: this.sdpSessionId, sessionVersion: ++this.sdpVersion, username: 'omnisip-softphone', ...(codecs ? { codecs } : {}) });
    if (!answered.ok) return answered;
    this.apply(answered.value.media);
    return { ok: true, value: answered.value.sdp };
  }

  /** The time line of the recording starts now (the call was answered). */
  startRecording(): void {
    this.recorder.start(realMediaClock.now());
  }

  /** Plays after whatever is playing; resolves when sent (or cut short by the end of the call). */
  async play(pcm: Int16Array): Promise<PlayOutcome> {
    await this.ready;
    return this.stopped ? 'interrupted' : this.session.play(pcm);
  }

  /** Whether the peer takes RFC 4733 events. */
  get telephoneEvents(): boolean {
    return this.negotiated?.telephoneEventPt !== undefined;
  }

  async sendDtmf(digits: string): Promise<void> {
    await this.ready;
    if (!this.stopped) await this.session.sendDtmf(digits);
  }

  stats(): CallRtpStats {
    const stats = this.session.stats();
    return { packetsSent: stats.packetsSent, packetsReceived: stats.packetsReceived, packetsLost: stats.packetsLost, jitterMs: stats.jitterMs };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.ready;
    await this.session.stop();
  }

  private apply(media: NegotiatedMedia): void {
    const previous = this.negotiated;
    this.negotiated = media;
    if (media.onHold !== this.onHold) {
      this.onHold = media.onHold;
      this.hooks.hold(media.onHold);
    }
    const te = media.telephoneEventPt ?? OUR_TELEPHONE_EVENT_PT;
    const rebind = previous === undefined && (media.codec !== PCMU || media.payloadType !== PCMU.payloadType || te !== OUR_TELEPHONE_EVENT_PT);
    if (rebind) {
      this.ready = this.ready.then(() => this.rebind(media, te));
      return;
    }
    this.point(media);
  }

  /** Sends to the peer's address, unless it is the hold address 0.0.0.0 (RFC 3264 §8.4). */
  private point(media: NegotiatedMedia): void {
    if (this.stopped) return;
    if (media.remote.address !== '0.0.0.0' && media.remote.port !== 0) this.session.setRemote(media.remote);
    this.session.startSending();
  }

  private async rebind(media: NegotiatedMedia, telephoneEventPt: number): Promise<void> {
    if (this.stopped) return;
    const port = this.session.localPort;
    await this.session.stop();
    const opened = await RtpSession.open({ address: this.address, port, codec: media.codec, payloadType: media.payloadType, telephoneEventPt });
    if (!opened.ok) {
      this.hooks.failed(opened.error);
      return;
    }
    this.session = opened.value;
    this.attach(opened.value);
    this.point(media);
  }

  private attach(session: RtpSession): void {
    session.on('audio', (pcm, info) => {
      this.recorder.write(pcm, info);
      this.hooks.audio(pcm);
    });
    session.on('dtmf', (digit) => this.hooks.dtmf(digit.digit));
    const rtpPacket = this.hooks.rtpPacket;
    if (rtpPacket === undefined) return;
    session.tap = (direction, data, local, remote) => {
      if (this.callId !== undefined) rtpPacket(this.callId, { direction, data, local, remote });
    };
  }
}

/** An RTP session sending PCMU with telephone-event 101, as our offer lists first. */
export function openSession(address: string): Promise<Result<RtpSession>> {
  return RtpSession.open({ address, codec: PCMU, telephoneEventPt: OUR_TELEPHONE_EVENT_PT });
}
