import type { RemoteInfo, Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { bind, bindPreferringEven } from './bindRtpSocket.js';
import { ok, type Result } from './errors.js';
import type { FrameSource } from './frameSource.js';
import { PCMU, findG711Codec, type G711Codec } from './g711.js';
import { realMediaClock, type MediaClock } from './MediaClock.js';
import { decodeRtpPacket } from './rtpPacket.js';
import { RtpReceiverStatistics, type RtpReceiveStats } from './RtpReceiverStatistics.js';
import { RtpSender, type DtmfSendOptions, type PlayOutcome } from './RtpSender.js';
import { TelephoneEventReceiver, type DtmfDigit } from './TelephoneEventReceiver.js';
import { takePcmFrame } from './pcmFrames.js';

export interface RtpEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface RtpSessionOptions {
  /** Address to bind. Default 127.0.0.1. */
  address?: string;
  /** Port to bind. Default 0 (any free port; an even one is tried first, RFC 3550 §11). */
  port?: number;
  /** Where to send, from the peer's SDP. Without it, sending waits for the first packet. */
  remote?: RtpEndpoint;
  /** Symmetric RTP (RFC 4961): send to where the peer's packets come from. Default true. */
  symmetric?: boolean;
  /** Codec to send. Default PCMU. */
  codec?: G711Codec;
  /** Payload type to send the codec with, if the peer mapped it to another. Default the codec's static one. */
  payloadType?: number;
  /** RFC 4733 telephone-event payload type. Default 101. */
  telephoneEventPt?: number;
  ssrc?: number;
  initialSequenceNumber?: number;
  initialTimestamp?: number;
  /** Emit 'rtp-timeout' after this long without a packet (and again after each new silence). 0 = never. Default 0. */
  rtpTimeoutMs?: number;
  /** Send encoded silence while nothing plays, once sending has started. Default true. */
  sendSilenceWhenIdle?: boolean;
  clock?: MediaClock;
}

/**
 * A network that loses, delays or silences packets, for fault injection: asked for each packet.
 * A packet lost on the way in is never seen (not counted, not captured), as if the network ate it;
 * one lost on the way out was sent, and is captured as sent, but never leaves.
 */
export interface RtpImpairment {
  dropIn?(): boolean;
  dropOut?(): boolean;
  /** Milliseconds to hold this packet before it leaves (jitter). */
  delayOutMs?(): number;
}

export interface AudioFrameInfo {
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly payloadType: number;
  readonly ssrc: number;
  readonly marker: boolean;
  /** Arrival time on the session's clock. */
  readonly arrivalMs: number;
}

export interface RtpSessionStats extends RtpReceiveStats {
  readonly packetsSent: number;
  /** Payload octets sent. */
  readonly bytesSent: number;
  /** Datagrams that were not RTP. */
  readonly malformed: number;
  /** RTP packets of a payload type we neither decode nor use (comfort noise, video...). */
  readonly unknownPayloadType: number;
  readonly sendErrors: number;
  /** Frames not sent because the process was too busy to send them in time. */
  readonly skippedFrames: number;
}

export interface RtpSessionEvents {
  /** Each audio frame received, decoded (only when someone listens: decoding costs a table lookup a sample). */
  audio: [pcm: Int16Array, info: AudioFrameInfo];
  /**
   * Each audio frame received, still encoded, with its codec: for a listener that needs less than
   * the samples, such as a frame's level (`VoiceActivityDetector.processPayload`). `payload` is a
   * view of the datagram as received.
   */
  payload: [payload: Uint8Array, codec: G711Codec, info: AudioFrameInfo];
  dtmf: [digit: DtmfDigit];
  'first-packet': [from: RtpEndpoint & { readonly ssrc: number }];
  'rtp-timeout': [info: { readonly silentForMs: number }];
}

/**
 * Sees every datagram a session sends or receives, as on the wire (malformed ones too): for call
 * timelines and pcap. Called synchronously, with the same `local` object every time and the same
 * `remote` object while the peer stays put; a sent packet's `data` is the sender's reusable slot,
 * so copy it to keep it past the call.
 *
 * A function rather than a 'packet' event: with 200 calls it runs 20,000 times a second, and an
 * event object per packet plus the emitter's dispatch were about a quarter of the capture's time
 * in the emulator's profile (bench/calls --profile).
 */
export type RtpPacketTap = (direction: 'in' | 'out', data: Uint8Array, local: RtpEndpoint, remote: RtpEndpoint) => void;

/**
 * One RTP audio stream over UDP: sends paced 20 ms G.711 frames and RFC 4733 digits, receives and
 * decodes the peer's, and keeps RFC 3550 statistics. Knows nothing of SIP: give it the remote
 * endpoint and payload types from the SDP (see `negotiateSdp`).
 *
 * @example
 * const opened = await RtpSession.open({ remote: media.remote, codec: media.codec, payloadType: media.payloadType });
 * if (!opened.ok) return answer(500);
 * const rtp = opened.value;
 * rtp.on('dtmf', ({ digit }) => ...);
 * await rtp.play(prompts.greeting());
 * await rtp.stop();
 */
export class RtpSession extends EventEmitter<RtpSessionEvents> {
  private remoteEndpoint: RtpEndpoint | undefined;
  private latchedSsrc: number | undefined;
  private readonly statistics = new RtpReceiverStatistics();
  private readonly dtmfReceiver = new TelephoneEventReceiver();
  private readonly sender: RtpSender;
  private readonly clock: MediaClock;
  private readonly sent = { packets: 0, bytes: 0, errors: 0 };
  private malformed = 0;
  private unknownPayloadType = 0;
  private lastPacketAtMs: number;
  private timeoutTimer: unknown;
  /** Set when 'rtp-timeout' fired, cleared by the next packet, so each silence is reported once. */
  private timeoutReported = false;
  private closed = false;
  private readonly local: RtpEndpoint;
  /** Where the last packet came from, one object while the peer stays put (the capture keys on it). */
  private lastFrom: RtpEndpoint = { address: '', port: 0 };
  /** One callback for every send, not a closure per packet. */
  private readonly sendDone = (error: Error | null): void => {
    if (error) this.sent.errors++;
  };

  private constructor(
    private readonly socket: Socket,
    private readonly options: RtpSessionOptions,
  ) {
    super();
    this.local = { address: socket.address().address, port: socket.address().port };
    this.clock = options.clock ?? realMediaClock;
    this.remoteEndpoint = options.remote;
    const codec = options.codec ?? PCMU;
    this.sender = new RtpSender({
      codec,
      payloadType: options.payloadType ?? codec.payloadType,
      telephoneEventPt: options.telephoneEventPt ?? 101,
      ssrc: options.ssrc ?? randomInt(0, 0xffffffff),
      initialSequenceNumber: options.initialSequenceNumber,
      initialTimestamp: options.initialTimestamp,
      sendSilenceWhenIdle: options.sendSilenceWhenIdle ?? true,
      clock: this.clock,
      transmit: (packet, payloadLength) => this.transmit(packet, payloadLength),
    });
    this.lastPacketAtMs = this.clock.now();
    socket.on('message', (message, rinfo) => this.receive(message, rinfo));
    // An ICMP error on a UDP socket must not crash the call: count it and carry on.
    socket.on('error', () => this.sent.errors++);
    this.armTimeout();
  }

  /** Binds the socket. A port that cannot be bound is an error value. */
  static async open(options: RtpSessionOptions = {}): Promise<Result<RtpSession>> {
    const address = options.address ?? '127.0.0.1';
    const bound = options.port ? await bind(address, options.port) : await bindPreferringEven(address);
    if (!bound.ok) return bound;
    return ok(new RtpSession(bound.value, options));
  }

  /** The bound address and port; still readable after `stop()`. */
  get localAddress(): string {
    return this.local.address;
  }

  get localPort(): number {
    return this.local.port;
  }

  /** Where packets go: from the SDP, or latched from the peer's packets. */
  get remote(): RtpEndpoint | undefined {
    return this.remoteEndpoint;
  }

  /** Sets the destination, e.g. after a re-INVITE. Symmetric RTP may still re-latch it. */
  setRemote(remote: RtpEndpoint): void {
    this.remoteEndpoint = remote;
  }

  /** Starts sending (silence, unless something plays) without waiting for `play()`. */
  startSending(): void {
    if (!this.closed) this.sender.start();
  }

  play(source: FrameSource): Promise<PlayOutcome> {
    if (this.closed) return Promise.resolve('interrupted');
    return this.sender.play(source);
  }

  stopPlaying(): void {
    this.sender.stopPlaying();
  }

  /** Sends digits (0-9 * # A-D) as RFC 4733 events; a non-digit throws. */
  sendDtmf(digits: string, options?: DtmfSendOptions): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.sender.sendDtmf(digits, options);
  }

  stats(): RtpSessionStats {
    return {
      ...this.statistics.snapshot(),
      packetsSent: this.sent.packets,
      bytesSent: this.sent.bytes,
      malformed: this.malformed,
      unknownPayloadType: this.unknownPayloadType,
      sendErrors: this.sent.errors,
      skippedFrames: this.sender.skippedFrames,
    };
  }

  /** Stops sending, reports a digit still open, and closes the socket. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sender.stop();
    this.clock.clearTimeout(this.timeoutTimer);
    for (const digit of this.dtmfReceiver.flush()) this.emit('dtmf', digit);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  /** Impairs the session's packets from now on (fault injection); undefined for a clean network. */
  impairment: RtpImpairment | undefined;

  /** Told of every packet from now on (capture); undefined when nobody captures. */
  tap: RtpPacketTap | undefined;

  private transmit(packet: Uint8Array, payloadLength: number): boolean {
    const remote = this.remoteEndpoint;
    if (this.closed || !remote) return false;
    const impairment = this.impairment;
    const lost = impairment?.dropOut?.() ?? false;
    const delay = lost ? 0 : (impairment?.delayOutMs?.() ?? 0);
    if (!lost && delay <= 0) {
      this.socket.send(packet, remote.port, remote.address, this.sendDone);
    } else if (!lost) {
      // The packet's bytes may be reused once this returns: a delayed one leaves as a copy.
      const copy = Buffer.from(packet);
      setTimeout(() => {
        if (!this.closed) this.socket.send(copy, remote.port, remote.address, (error) => error && this.sent.errors++);
      }, delay);
    }
    this.sent.packets++;
    this.sent.bytes += payloadLength;
    const tap = this.tap;
    if (tap !== undefined) tap('out', packet, this.local, remote);
    return true;
  }

  private receive(message: Buffer, rinfo: RemoteInfo): void {
    if (this.impairment?.dropIn?.()) return;
    const arrivalMs = this.clock.now();
    const tap = this.tap;
    if (tap !== undefined) tap('in', message, this.local, this.from(rinfo));
    // Nearly every packet is a plain one (version 2; no padding, extension or CSRC): its header is
    // read in place, without the packet object and result that decodeRtpPacket builds for the rest.
    if (message.length >= PLAIN_HEADER_BYTES && message[0] === PLAIN_FIRST_OCTET) {
      const second = message[1]!;
      this.accept(second & 0x7f, (second & 0x80) !== 0, message.readUInt16BE(2), message.readUInt32BE(4), message.readUInt32BE(8), message.subarray(PLAIN_HEADER_BYTES), rinfo, arrivalMs);
      return;
    }
    const decoded = decodeRtpPacket(message);
    if (!decoded.ok) {
      this.malformed++;
      return;
    }
    const packet = decoded.value;
    this.accept(packet.payloadType, packet.marker, packet.sequenceNumber, packet.timestamp, packet.ssrc, packet.payload, rinfo, arrivalMs);
  }

  /** A well-formed RTP packet: statistics, latching, then DTMF or decoded audio. */
  private accept(payloadType: number, marker: boolean, sequenceNumber: number, timestamp: number, ssrc: number, payload: Uint8Array, rinfo: RemoteInfo, arrivalMs: number): void {
    this.lastPacketAtMs = arrivalMs;
    this.timeoutReported = false;
    this.latch(ssrc, rinfo);
    const telephoneEvent = payloadType === (this.options.telephoneEventPt ?? 101);
    const kind = this.statistics.recordFields(ssrc, sequenceNumber, timestamp, payload.length, arrivalMs, !telephoneEvent);
    if (kind === 'duplicate' || kind === 'discarded') return;
    if (telephoneEvent) {
      for (const digit of this.dtmfReceiver.receive({ ssrc, timestamp, payload })) this.emit('dtmf', digit);
      return;
    }
    const codec = this.codecFor(payloadType);
    if (!codec) {
      this.unknownPayloadType++;
      return;
    }
    const decode = this.listenerCount('audio') > 0;
    const encoded = this.listenerCount('payload') > 0;
    if (!decode && !encoded) return;
    const info: AudioFrameInfo = { sequenceNumber, timestamp, payloadType, ssrc, marker, arrivalMs };
    if (encoded) this.emit('payload', payload, codec, info);
    if (!decode) return;
    const pcm = takePcmFrame(payload.length);
    codec.decodeInto(payload, pcm);
    this.emit('audio', pcm, info);
  }

  private from(rinfo: RemoteInfo): RtpEndpoint {
    const last = this.lastFrom;
    if (last.port === rinfo.port && last.address === rinfo.address) return last;
    return (this.lastFrom = { address: rinfo.address, port: rinfo.port });
  }

  private codecFor(payloadType: number): G711Codec | undefined {
    if (this.options.payloadType !== undefined && payloadType === this.options.payloadType) return this.options.codec ?? PCMU;
    return findG711Codec(payloadType);
  }

  /**
   * RFC 4961: once the peer's packets arrive, answer to where they come from (the peer may be
   * behind NAT, or its SDP may name another address). A new SSRC from a new address re-latches,
   * as when a call is moved to another media server.
   */
  private latch(ssrc: number, rinfo: RemoteInfo): void {
    const first = this.latchedSsrc === undefined;
    if (!first && ssrc === this.latchedSsrc) return;
    this.latchedSsrc = ssrc;
    if (this.options.symmetric ?? true) this.remoteEndpoint = { address: rinfo.address, port: rinfo.port };
    if (first) this.emit('first-packet', { address: rinfo.address, port: rinfo.port, ssrc });
  }

  private armTimeout(): void {
    const timeoutMs = this.options.rtpTimeoutMs ?? 0;
    if (timeoutMs <= 0) return;
    const check = (): void => {
      if (this.closed) return;
      const silentForMs = this.clock.now() - this.lastPacketAtMs;
      if (silentForMs >= timeoutMs && !this.timeoutReported) {
        this.timeoutReported = true;
        for (const digit of this.dtmfReceiver.flush()) this.emit('dtmf', digit);
        this.emit('rtp-timeout', { silentForMs });
      }
      this.timeoutTimer = this.clock.setTimeout(check, silentForMs >= timeoutMs ? timeoutMs : timeoutMs - silentForMs);
    };
    this.timeoutTimer = this.clock.setTimeout(check, timeoutMs);
  }
}

/** A plain RTP header: 12 octets, the first being version 2 with no padding, extension or CSRC. */
const PLAIN_HEADER_BYTES = 12;
const PLAIN_FIRST_OCTET = 0x80;
