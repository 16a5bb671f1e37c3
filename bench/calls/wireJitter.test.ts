import { describe, expect, it } from 'vitest';
import { writePcap } from '../../emulator/journal/views/writePcap.js';
import type { CapturedPacket } from '../../emulator/core/calls.js';
import { encodeRtpPacket } from '../../media/rtpPacket.js';
import { wireJitter } from './wireJitter.js';

const start = Date.UTC(2026, 11, 4, 12, 0, 0);

/** One RTP packet from `from` to `to` at `ms` after start, with RTP timestamp `timestamp`. */
function rtp(from: number, to: number, ms: number, timestamp: number, payloadType = 0): CapturedPacket {
  return {
    at: start + ms,
    protocol: 'UDP',
    source: { address: '127.0.0.1', port: from },
    destination: { address: '127.0.0.1', port: to },
    payload: encodeRtpPacket({ payloadType, sequenceNumber: 1, timestamp: timestamp >>> 0, ssrc: 7, payload: new Uint8Array(160) }),
  };
}

/** The same records behind an Ethernet header, as dumpcap writes Linux `lo` (link type 1). */
function asEthernet(raw: Buffer): Buffer {
  const header = Buffer.from(raw.subarray(0, 24));
  header.writeUInt32LE(1, 20);
  const parts: Buffer[] = [header];
  for (let at = 24; at < raw.length; ) {
    const length = raw.readUInt32LE(at + 8);
    const record = Buffer.from(raw.subarray(at, at + 16));
    record.writeUInt32LE(length + 14, 8);
    record.writeUInt32LE(length + 14, 12);
    const ethernet = Buffer.alloc(14);
    ethernet.writeUInt16BE(0x0800, 12);
    parts.push(record, ethernet, raw.subarray(at + 16, at + 16 + length));
    at += 16 + length;
  }
  return Buffer.concat(parts);
}

const window = { fromMs: start, toMs: start + 1000 };

describe('wireJitter', () => {
  // The emulator's stream to the caller's port 6000: on time, then one packet 7 ms late.
  const stream = [rtp(5000, 6000, 0, 0), rtp(5000, 6000, 20, 160), rtp(5000, 6000, 40, 320), rtp(5000, 6000, 67, 480), rtp(5000, 6000, 80, 640)];

  it("measures |D| of the emulator's streams from the capture's timestamps and the RTP timestamps", () => {
    const measured = wireJitter(asEthernet(writePcap(stream)), { toPorts: new Set([6000]), ...window });
    expect(measured.ok).toBe(true);
    if (!measured.ok) return;
    expect(measured.value.packets).toBe(5);
    expect(measured.value.streams).toBe(1);
    // D: 0, 0, +7 (27 ms for 20 ms of audio), then -7 (13 ms for 20).
    expect(measured.value.deviationMs!.count).toBe(4);
    expect(measured.value.deviationMs!.max).toBeCloseTo(7, 3);
    expect(measured.value.deviationMs!.min).toBeCloseTo(0, 3);
  });

  it('leaves out the callers\' own streams, DTMF events, other link layers and packets outside the window', () => {
    const noise = [
      rtp(6000, 5000, 10, 0), // the caller's audio to the emulator
      rtp(6000, 5000, 55, 999), // …with a timestamp that would read as a huge deviation
      rtp(5000, 6000, 50, 9_999, 101), // a telephone-event in the emulator's stream
      rtp(5000, 6000, 2_000, 99_999), // after the window
    ];
    const pcap = asEthernet(writePcap([...stream, ...noise]));
    // An ARP frame between them: not IPv4, not counted.
    const arp = Buffer.alloc(16 + 42);
    arp.writeUInt32LE(Math.floor(start / 1000), 0);
    arp.writeUInt32LE(42, 8);
    arp.writeUInt32LE(42, 12);
    arp.writeUInt16BE(0x0806, 16 + 12);
    const measured = wireJitter(Buffer.concat([pcap, arp]), { toPorts: new Set([6000]), ...window });
    expect(measured.ok && measured.value).toMatchObject({ packets: 5, streams: 1 });
    expect(measured.ok && measured.value.deviationMs!.max).toBeCloseTo(7, 3);
  });

  it('reads raw-IP captures too, and steps over the RTP timestamp wrapping at 2^32', () => {
    const wrapping = [rtp(5002, 6002, 0, 0xffffff60), rtp(5002, 6002, 20, 0x100000000), rtp(5002, 6002, 40, 0x1000000a0)];
    const measured = wireJitter(writePcap(wrapping), { toPorts: new Set([6002]), ...window });
    expect(measured.ok && measured.value.deviationMs!.max).toBeCloseTo(0, 3);
  });

  it('pools the streams of every call', () => {
    const second = [rtp(5002, 6002, 0, 0), rtp(5002, 6002, 32, 160)];
    const measured = wireJitter(writePcap([...stream, ...second]), { toPorts: new Set([6000, 6002]), ...window });
    expect(measured.ok && measured.value).toMatchObject({ packets: 7, streams: 2 });
    expect(measured.ok && measured.value.deviationMs!.max).toBeCloseTo(12, 3);
  });

  it('says why when the file is no classic pcap', () => {
    expect(wireJitter(Buffer.alloc(10), { toPorts: new Set(), ...window })).toEqual({ ok: false, reason: expect.stringContaining('shorter than its header') });
    const pcapng = Buffer.alloc(64);
    pcapng.writeUInt32LE(0x0a0d0d0a, 0);
    expect(wireJitter(pcapng, { toPorts: new Set(), ...window })).toEqual({ ok: false, reason: expect.stringContaining('dumpcap -P') });
  });
});
