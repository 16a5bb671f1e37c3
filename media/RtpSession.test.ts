import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeMediaClock } from './FakeMediaClock.js';
import { PCMA, PCMU } from './g711.js';
import { goertzel } from './goertzel.js';
import { decodeRtpPacket, encodeRtpPacket, type RtpPacket } from './rtpPacket.js';
import { RtpSession, type RtpSessionOptions } from './RtpSession.js';
import { decodeTelephoneEvent } from './telephoneEvent.js';
import type { DtmfDigit } from './TelephoneEventReceiver.js';
import { concatPcm, sine } from './tones.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function session(options: RtpSessionOptions = {}): Promise<RtpSession> {
  const opened = await RtpSession.open(options);
  if (!opened.ok) throw new Error(opened.error.message);
  cleanup.push(() => opened.value.stop());
  return opened.value;
}

/** A plain UDP socket on loopback that collects what it receives. */
async function rawPeer(): Promise<{ socket: Socket; port: number; packets: RtpPacket[]; next(n: number): Promise<RtpPacket[]> }> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  cleanup.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  const packets: RtpPacket[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (message) => {
    const decoded = decodeRtpPacket(message);
    if (decoded.ok) packets.push(decoded.value);
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async (n: number): Promise<RtpPacket[]> => {
    while (packets.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    return packets.slice(0, n);
  };
  return { socket, port: socket.address().port, packets, next };
}

function until<T>(predicate: () => T | undefined, emitter: RtpSession, event: 'audio' | 'payload' | 'dtmf' | 'first-packet' | 'rtp-timeout'): Promise<T> {
  return new Promise((resolve) => {
    const check = (): void => {
      const value = predicate();
      if (value === undefined) return;
      emitter.off(event, check);
      resolve(value);
    };
    emitter.on(event, check);
    check();
  });
}

describe('RtpSession over loopback', () => {
  it('streams a 1 kHz tone for 1 s to another session, paced, without loss, and the recording holds it', async () => {
    const receiver = await session();
    const sender = await session({ remote: { address: '127.0.0.1', port: receiver.localPort } });
    const recording: Int16Array[] = [];
    const arrivals: number[] = [];
    receiver.on('audio', (pcm, info) => {
      recording.push(pcm);
      arrivals.push(info.arrivalMs);
    });
    const firstPacket = once(receiver, 'first-packet');

    expect(await sender.play(sine(1000, { amplitude: 0.5, durationMs: 1000 }))).toBe('finished');
    await until(() => (recording.length >= 50 ? true : undefined), receiver, 'audio');
    await sender.stop();

    const heard = concatPcm(recording.slice(0, 50));
    const tone = goertzel(heard, 1000);
    expect(tone).toBeGreaterThan(0.45);
    // μ-law's quantisation error repeats with the 8-sample period of 1 kHz, so 3 kHz shows at about -34 dB.
    for (const other of [300, 500, 1500, 2000, 3000]) expect(goertzel(heard, other)).toBeLessThan(tone / 20);
    const stats = receiver.stats();
    expect(stats).toMatchObject({ packetsLost: 0, outOfOrder: 0, duplicates: 0, malformed: 0 });
    expect(stats.bytesReceived).toBe(stats.packetsReceived * 160);
    expect(sender.stats().packetsSent).toBeGreaterThanOrEqual(50);
    // 50 frames at 20 ms span 980 ms: the pacer does not bunch them (an unpaced burst spans a few ms).
    // Bounds are loose on purpose: this is a correctness check on a loaded 2-core CI machine; the
    // jitter numbers themselves are measured by bench/calls.
    expect(arrivals[49]! - arrivals[0]!).toBeGreaterThan(800);
    expect(arrivals[49]! - arrivals[0]!).toBeLessThan(1500);
    expect(stats.interarrivalDeviationMs.count).toBeGreaterThanOrEqual(49);
    // Symmetric RTP: the receiver learned where to answer from the first packet.
    const [from] = await firstPacket;
    expect(from).toMatchObject({ address: '127.0.0.1', port: sender.localPort });
    expect(receiver.remote).toEqual({ address: '127.0.0.1', port: sender.localPort });
  });

  it('carries DTMF as RFC 4733 events, each digit reported once with its duration', async () => {
    const receiver = await session();
    const sender = await session({ remote: { address: '127.0.0.1', port: receiver.localPort }, sendSilenceWhenIdle: false });
    const digits: DtmfDigit[] = [];
    receiver.on('dtmf', (d) => digits.push(d));
    await sender.sendDtmf('1#9', { durationMs: 60, gapMs: 20 });
    await sender.sendDtmf('5', { durationMs: 40, gapMs: 0 });
    // UDP on loopback keeps order: once an audio frame sent after the digits is heard, every
    // redundant end packet has arrived too.
    const heard = once(receiver, 'audio');
    void sender.play(new Int16Array(160));
    await heard;
    expect(digits.map((d) => [d.digit, d.durationMs, d.ended])).toEqual([
      ['1', 60, true],
      ['#', 60, true],
      ['9', 60, true],
      ['5', 40, true],
    ]);
    // 3 digits of 5 packets and one of 4 (start, 3 × end) arrived, yet each digit was reported once.
    expect(receiver.stats().packetsReceived).toBeGreaterThanOrEqual(3 * 5 + 4);
  });

  it('answers to where packets come from, not where the SDP said (RFC 4961)', async () => {
    const peer = await rawPeer();
    const wrong = await rawPeer();
    const rtp = await session({ remote: { address: '127.0.0.1', port: wrong.port } });
    const first = once(rtp, 'first-packet');
    peer.socket.send(encodeRtpPacket({ payloadType: 0, sequenceNumber: 1, timestamp: 0, ssrc: 77, payload: new Uint8Array(160) }), rtp.localPort, '127.0.0.1');
    expect((await first)[0]).toEqual({ address: '127.0.0.1', port: peer.port, ssrc: 77 });
    rtp.startSending();
    const [packet] = await peer.next(1);
    expect(packet?.payloadType).toBe(0);
    expect(wrong.packets).toEqual([]);
  });

  it('counts malformed datagrams, duplicates, loss and unknown payload types, and decodes PCMA by payload type', async () => {
    const peer = await rawPeer();
    const rtp = await session();
    const frames: Int16Array[] = [];
    rtp.on('audio', (pcm) => frames.push(pcm));
    const tone = sine(500, { amplitude: 0.5, durationMs: 20 });
    const send = (seq: number, payloadType = 8) =>
      peer.socket.send(encodeRtpPacket({ payloadType, sequenceNumber: seq, timestamp: seq * 160, ssrc: 5, payload: PCMA.encode(tone) }), rtp.localPort, '127.0.0.1');
    peer.socket.send(Buffer.from('not rtp'), rtp.localPort, '127.0.0.1');
    for (const seq of [1, 2, 2, 4]) send(seq);
    send(5, 13); // comfort noise: valid RTP, not decoded
    send(6);
    await until(() => (frames.length >= 4 ? true : undefined), rtp, 'audio');
    expect(frames).toHaveLength(4);
    expect(goertzel(frames[0]!, 500)).toBeGreaterThan(0.45);
    expect(rtp.stats()).toMatchObject({ malformed: 1, duplicates: 1, packetsLost: 1, unknownPayloadType: 1, packetsReceived: 6 });
  });

  it("hands each audio frame over still encoded ('payload') with its codec, and the same frame decoded to 'audio' listeners", async () => {
    const peer = await rawPeer();
    const rtp = await session();
    const encoded: Array<{ payload: number[]; codec: string; sequenceNumber: number; arrivalMs: number }> = [];
    rtp.on('payload', (payload, codec, info) => encoded.push({ payload: [...payload], codec: codec.name, sequenceNumber: info.sequenceNumber, arrivalMs: info.arrivalMs }));
    const payload = PCMU.encode(sine(500, { amplitude: 0.5, durationMs: 20 }));
    const send = (seq: number) => peer.socket.send(encodeRtpPacket({ payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc: 9, payload }), rtp.localPort, '127.0.0.1');
    send(1);
    await until(() => (encoded.length >= 1 ? true : undefined), rtp, 'payload');
    const frames: Array<{ pcm: Int16Array; sequenceNumber: number; arrivalMs: number }> = [];
    rtp.on('audio', (pcm, info) => frames.push({ pcm, sequenceNumber: info.sequenceNumber, arrivalMs: info.arrivalMs }));
    send(2);
    await until(() => (frames.length >= 1 ? true : undefined), rtp, 'audio');
    expect(encoded.map((e) => [e.codec, e.sequenceNumber, e.payload])).toEqual([
      ['PCMU', 1, [...payload]],
      ['PCMU', 2, [...payload]],
    ]);
    expect(frames.map((f) => f.sequenceNumber)).toEqual([2]);
    expect(frames[0]!.pcm).toEqual(PCMU.decode(payload));
    expect(frames[0]!.arrivalMs).toBe(encoded[1]!.arrivalMs);
  });

  it('returns a port that cannot be bound as an error value, and prefers an even port', async () => {
    const first = await session();
    expect(first.localPort % 2).toBe(0);
    const clash = await RtpSession.open({ port: first.localPort });
    expect(!clash.ok && clash.error.code).toBe('socket-bind-failed');
  });
});

describe('RtpSession sending (fake clock)', () => {
  async function captured(options: RtpSessionOptions = {}) {
    const clock = new FakeMediaClock();
    const peer = await rawPeer();
    const rtp = await session({ remote: { address: '127.0.0.1', port: peer.port }, clock, ssrc: 99, initialSequenceNumber: 65534, initialTimestamp: 1000, ...options });
    return { clock, peer, rtp };
  }

  it('sends 20 ms frames with consecutive sequence numbers (across the wrap), +160 timestamps and one marker', async () => {
    const { clock, peer, rtp } = await captured({ sendSilenceWhenIdle: false });
    const done = rtp.play(sine(1000, { durationMs: 80 }));
    clock.advance(100);
    expect(await done).toBe('finished');
    const packets = await peer.next(4);
    expect(packets.map((p) => [p.sequenceNumber, p.timestamp, p.marker, p.payloadType, p.ssrc, p.payload.length])).toEqual([
      [65534, 1000, true, 0, 99, 160],
      [65535, 1160, false, 0, 99, 160],
      [0, 1320, false, 0, 99, 160],
      [1, 1480, false, 0, 99, 160],
    ]);
    expect(rtp.stats()).toMatchObject({ packetsSent: 4, bytesSent: 640 });
  });

  it('sends a digit on the telephone-event payload type with one timestamp, suppressing audio, then resumes with a marker', async () => {
    const { clock, peer, rtp } = await captured({ telephoneEventPt: 96, codec: PCMA, initialSequenceNumber: 10 });
    rtp.startSending();
    clock.advance(40); // 3 silence frames: t = 0, 20, 40
    const dtmf = rtp.sendDtmf('7', { durationMs: 100 });
    clock.advance(400);
    await dtmf;
    const packets = await peer.next(3 + 5 + 1);
    const rows = packets.map((p) => {
      if (p.payloadType !== 96) return [p.payloadType, p.marker, p.timestamp];
      const event = decodeTelephoneEvent(p.payload);
      if (!event.ok) throw new Error(event.error.message);
      return [p.payloadType, p.marker, p.timestamp, event.value.event, event.value.end, event.value.duration];
    });
    expect(rows).toEqual([
      [8, true, 1000],
      [8, false, 1160],
      [8, false, 1320],
      [96, true, 1320, 7, false, 160],
      [96, false, 1320, 7, false, 400],
      [96, false, 1320, 7, true, 800],
      [96, false, 1320, 7, true, 800],
      [96, false, 1320, 7, true, 800],
      // Audio resumes at the frame after the last end packet (t = 180 ms), as a new talkspurt.
      [8, true, 1000 + 160 * 9],
    ]);
    expect(packets.map((p) => p.sequenceNumber)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18]);
  });

  it('plays queued audio in order, and stopPlaying interrupts what is playing and queued', async () => {
    const { clock, rtp } = await captured();
    const first = rtp.play(sine(440, { durationMs: 40 }));
    const second = rtp.play(sine(880, { durationMs: 1000 }));
    const third = rtp.play(sine(660, { durationMs: 1000 }));
    clock.advance(100);
    expect(await first).toBe('finished');
    rtp.stopPlaying();
    expect(await second).toBe('interrupted');
    expect(await third).toBe('interrupted');
  });

  it('emits rtp-timeout once per silence, and again after packets resume and stop', async () => {
    const clock = new FakeMediaClock();
    const peer = await rawPeer();
    const rtp = await session({ clock, rtpTimeoutMs: 500 });
    const timeouts: number[] = [];
    rtp.on('rtp-timeout', ({ silentForMs }) => timeouts.push(silentForMs));
    clock.advance(499);
    expect(timeouts).toEqual([]);
    clock.advance(1);
    expect(timeouts).toEqual([500]);
    clock.advance(2000);
    expect(timeouts).toEqual([500]);
    const arrived = once(rtp, 'first-packet');
    peer.socket.send(encodeRtpPacket({ payloadType: 0, sequenceNumber: 1, timestamp: 0, ssrc: 1, payload: PCMU.encode(new Int16Array(160)) }), rtp.localPort, '127.0.0.1');
    await arrived;
    clock.advance(1000);
    expect(timeouts).toEqual([500, 500]);
  });

  it('stops cleanly: pending plays resolve, nothing is sent afterwards', async () => {
    const { clock, peer, rtp } = await captured();
    const playing = rtp.play(sine(440, { durationMs: 1000 }));
    clock.advance(20);
    await rtp.stop();
    expect(await playing).toBe('interrupted');
    const sent = rtp.stats().packetsSent;
    clock.advance(1000);
    expect(rtp.stats().packetsSent).toBe(sent);
    expect(clock.pending).toBe(0);
    expect(peer.packets.length).toBeLessThanOrEqual(sent);
  });
});
