import { randomInt } from 'node:crypto';
import { FramePacer } from './FramePacer.js';
import { FRAME_SAMPLES, framesOf, type FrameSource } from './frameSource.js';
import type { G711Codec } from './g711.js';
import type { MediaClock } from './MediaClock.js';
import { encodeRtpPacket, writeRtpPacket, type RtpPacketInit } from './rtpPacket.js';
import { planTelephoneEvent, type TelephoneEventPlanOptions } from './telephoneEventSender.js';

export type PlayOutcome = 'finished' | 'interrupted';

export interface DtmfSendOptions extends Pick<TelephoneEventPlanOptions, 'durationMs' | 'volume'> {
  /** Pause between digits. Default 60 ms. */
  gapMs?: number;
}

export interface RtpSenderOptions {
  codec: G711Codec;
  payloadType: number;
  telephoneEventPt: number;
  ssrc: number;
  initialSequenceNumber?: number;
  initialTimestamp?: number;
  /** Send encoded silence when nothing is playing, as a phone does. */
  sendSilenceWhenIdle: boolean;
  clock: MediaClock;
  /** Puts a packet on the wire; returns false if there is nowhere to send it yet. */
  transmit(packet: Uint8Array, payloadLength: number): boolean;
}

/** Room for a 12-byte header and a 20 ms G.711 frame (or an RFC 4733 event), rounded up. */
const PACKET_SLOT_BYTES = 176;
const PACKET_SLOTS = 8;

function slots(): Buffer[] {
  const bytes = Buffer.allocUnsafe(PACKET_SLOTS * PACKET_SLOT_BYTES);
  return Array.from({ length: PACKET_SLOTS }, (_, i) => bytes.subarray(i * PACKET_SLOT_BYTES, (i + 1) * PACKET_SLOT_BYTES));
}

interface Playback {
  readonly frames: Iterator<Int16Array>;
  readonly done: (outcome: PlayOutcome) => void;
}

interface DtmfJob {
  readonly digits: string;
  readonly options: DtmfSendOptions;
  readonly done: () => void;
}

/**
 * The sending half of an RtpSession: one SSRC, one sequence-number space and one timestamp clock
 * shared by audio and RFC 4733 events, paced at 20 ms.
 */
export class RtpSender {
  private readonly pacer: FramePacer;
  private readonly queue: Playback[] = [];
  private readonly dtmfQueue: DtmfJob[] = [];
  private sequenceNumber: number;
  private readonly timestampBase: number;
  /** Audio is suppressed while an event is being sent (RFC 4733 §2.5.1.1). */
  private eventInProgress = false;
  /** Marker on the first packet of a talkspurt (RFC 3551 §4.1): at start and after an event. */
  private talkspurtStart = true;
  private readonly timers = new Set<unknown>();
  private readonly silence: Uint8Array;
  /** Where each audio frame is encoded before it is copied into its packet: one per sender, not one per frame. */
  private readonly encoded = new Uint8Array(FRAME_SAMPLES);
  /**
   * Where packets are written: a few slots used in turn, so that a packet the socket still holds
   * (a send queued while the kernel buffer was full) is not overwritten by the next 20 ms later.
   */
  private readonly packetSlots = slots();
  private nextSlot = 0;

  constructor(private readonly options: RtpSenderOptions) {
    // RFC 3550 §5.1: the initial sequence number and timestamp SHOULD be random.
    this.sequenceNumber = options.initialSequenceNumber ?? randomInt(0, 0x10000);
    this.timestampBase = options.initialTimestamp ?? randomInt(0, 0xffffffff);
    this.silence = options.codec.encode(new Int16Array(FRAME_SAMPLES));
    this.pacer = new FramePacer(options.clock, (n) => this.sendFrame(n));
  }

  get sending(): boolean {
    return this.pacer.running;
  }

  get skippedFrames(): number {
    return this.pacer.skipped;
  }

  /** Starts the 20 ms clock, if it is not running. */
  start(): void {
    this.pacer.start();
  }

  /** Queues audio after whatever is playing; resolves when it has all been sent or is interrupted. */
  play(source: FrameSource): Promise<PlayOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ frames: framesOf(source), done: resolve });
      this.start();
    });
  }

  /** Drops the audio playing and queued (barge-in); their promises resolve 'interrupted'. */
  stopPlaying(): void {
    for (const playback of this.queue.splice(0)) playback.done('interrupted');
  }

  /** Sends digits as RFC 4733 events, one after another; resolves when the last end packet is out. */
  sendDtmf(digits: string, options: DtmfSendOptions = {}): Promise<void> {
    // Validate every digit now: a bad one is a programmer error, not something to find mid-call.
    for (const digit of digits) planTelephoneEvent(digit, options);
    return new Promise((resolve) => {
      this.dtmfQueue.push({ digits, options, done: resolve });
      this.start();
      if (this.dtmfQueue.length === 1) this.nextDtmfJob();
    });
  }

  /** Stops the clock and every timer; pending plays resolve 'interrupted', pending DTMF resolves. */
  stop(): void {
    this.pacer.stop();
    for (const timer of this.timers) this.options.clock.clearTimeout(timer);
    this.timers.clear();
    this.stopPlaying();
    for (const job of this.dtmfQueue.splice(0)) job.done();
  }

  private timestampOf(frameIndex: number): number {
    return (this.timestampBase + frameIndex * FRAME_SAMPLES) % 0x100000000;
  }

  private nextFrame(): Int16Array | undefined {
    while (this.queue.length > 0) {
      const current = this.queue[0]!;
      const next = current.frames.next();
      if (!next.done) {
        if (next.value.length > FRAME_SAMPLES) {
          throw new RangeError(`omnisip media: frames must be ${FRAME_SAMPLES} samples, got ${next.value.length}`);
        }
        if (next.value.length === FRAME_SAMPLES) return next.value;
        const padded = new Int16Array(FRAME_SAMPLES);
        padded.set(next.value);
        return padded;
      }
      this.queue.shift();
      current.done('finished');
    }
    return undefined;
  }

  private sendFrame(index: number): void {
    // The source advances even while an event replaces the audio, so the audio stays in time.
    const frame = this.nextFrame();
    if (this.eventInProgress) return;
    if (frame) this.options.codec.encodeInto(frame, this.encoded);
    const payload = frame ? this.encoded : this.options.sendSilenceWhenIdle ? this.silence : undefined;
    if (!payload) return;
    const marker = this.talkspurtStart;
    if (this.send({ payloadType: this.options.payloadType, timestamp: this.timestampOf(index), marker, payload })) {
      this.talkspurtStart = false;
    }
  }

  private send(packet: Pick<RtpPacketInit, 'payloadType' | 'timestamp' | 'marker' | 'payload'>): boolean {
    // Written into a slot of the sender's own, field by field: an object spread here, 100 times a
    // second per call, left objects that V8 promoted to the old generation, and with 200 calls a full
    // collection ran every second or so and delayed every stream by its pause (bench/calls, --trace-gc);
    // a buffer per packet was three allocations more.
    const slot = this.packetSlots[this.nextSlot]!;
    this.nextSlot = (this.nextSlot + 1) % PACKET_SLOTS;
    const bytes =
      writeRtpPacket(slot, packet.marker ?? false, packet.payloadType, this.sequenceNumber, packet.timestamp, this.options.ssrc, packet.payload) ??
      encodeRtpPacket({ payloadType: packet.payloadType, timestamp: packet.timestamp, marker: packet.marker, payload: packet.payload, sequenceNumber: this.sequenceNumber, ssrc: this.options.ssrc });
    if (!this.options.transmit(bytes, packet.payload.length)) return false;
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    return true;
  }

  private schedule(atMs: number, callback: () => void): void {
    const timer = this.options.clock.setTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, atMs - this.options.clock.now());
    this.timers.add(timer);
  }

  private nextDtmfJob(): void {
    const job = this.dtmfQueue[0];
    if (!job) return;
    const finishJob = (): void => {
      this.dtmfQueue.shift();
      this.nextDtmfJob();
    };
    const sendDigit = (i: number): void => {
      const digit = job.digits[i];
      if (digit === undefined) {
        job.done();
        finishJob();
        return;
      }
      const startMs = this.options.clock.now();
      // RFC 4733 §2.3.1: the event's timestamp is the media time at which it began.
      const timestamp = this.timestampOf(this.pacer.indexAt(startMs));
      const plan = planTelephoneEvent(digit, job.options);
      this.eventInProgress = true;
      plan.forEach((packet, k) => {
        this.schedule(startMs + packet.offsetMs, () => {
          this.send({ payloadType: this.options.telephoneEventPt, timestamp, marker: packet.marker, payload: packet.payload });
          if (k < plan.length - 1) return;
          this.eventInProgress = false;
          this.talkspurtStart = true;
          const last = i === job.digits.length - 1;
          if (last) job.done();
          // The gap also follows the last digit, so that the next sendDtmf call is a new press.
          this.schedule(this.options.clock.now() + (job.options.gapMs ?? 60), last ? finishJob : () => sendDigit(i + 1));
        });
      });
    };
    sendDigit(0);
  }
}
