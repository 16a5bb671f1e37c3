import { LatencyRecorder, type LatencySummary } from '../lib/index.js';

/** The emulator's audio as the loopback interface saw it leave, over the measured window. */
export interface WireJitter {
  /** |D(i-1, i)| (RFC 3550 §6.4.1) of every G.711 packet to the callers' ports in the window, all streams pooled, in ms. */
  deviationMs: LatencySummary | undefined;
  packets: number;
  streams: number;
}

export interface WireJitterOptions {
  /** The callers' RTP ports: only packets sent to these count (the emulator's streams, not the callers'). */
  toPorts: ReadonlySet<number>;
  /** The window, in ms since the epoch (the capture's clock): packets outside it are left out. */
  fromMs: number;
  toMs: number;
}

/** Bytes before the IPv4 header, per link type dumpcap writes for a loopback interface (Linux `lo` is Ethernet). */
const linkHeaderBytes = new Map([
  [0, 4], // BSD loopback (macOS lo0)
  [1, 14], // Ethernet
  [101, 0], // raw IP
  [113, 16], // Linux cooked
  [228, 0], // raw IPv4
  [276, 20], // Linux cooked v2
]);

/** G.711 µ-law and A-law, the benchmark's codecs: 8 timestamp units a millisecond. */
const audioPayloadTypes = new Set([0, 8]);
const unitsPerMs = 8;

/**
 * The inter-arrival deviation of the emulator's RTP streams from a classic pcap (dumpcap -P): for
 * each stream (source and destination port), consecutive packets in the window give
 * |(Rj - Ri) - (Sj - Si)| with R the capture's timestamp and S the RTP timestamp, as the callers
 * compute it with R their own reading time. The difference between the two is the callers' share.
 */
export function wireJitter(pcap: Buffer, options: WireJitterOptions): { ok: true; value: WireJitter } | { ok: false; reason: string } {
  if (pcap.length < 24) return { ok: false, reason: `not a pcap: ${pcap.length} bytes, shorter than its header` };
  const magic = pcap.readUInt32LE(0);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const bigMagic = pcap.readUInt32BE(0);
  if (!little && bigMagic !== 0xa1b2c3d4 && bigMagic !== 0xa1b23c4d) return { ok: false, reason: `not a classic pcap (magic 0x${magic.toString(16)}); capture with dumpcap -P` };
  const u32 = (at: number) => (little ? pcap.readUInt32LE(at) : pcap.readUInt32BE(at));
  const fractionPerMs = (little ? magic : bigMagic) === 0xa1b23c4d ? 1e6 : 1e3;
  const linkType = u32(20) & 0xffff;
  const link = linkHeaderBytes.get(linkType);
  if (link === undefined) return { ok: false, reason: `link type ${linkType} is not one a loopback capture gives` };

  const last = new Map<number, { arrivalMs: number; timestamp: number }>();
  const deviations = new LatencyRecorder();
  let packets = 0;
  for (let at = 24; at + 16 <= pcap.length; ) {
    const arrivalMs = u32(at) * 1000 + u32(at + 4) / fractionPerMs;
    const captured = u32(at + 8);
    const ip = at + 16 + link;
    const end = at + 16 + captured;
    at = end;
    if (end > pcap.length || arrivalMs < options.fromMs || arrivalMs > options.toMs) continue;
    if (linkType === 1 && pcap.readUInt16BE(ip - 2) !== 0x0800) continue;
    if (ip + 20 > end || pcap[ip]! >> 4 !== 4 || pcap[ip + 9] !== 17) continue;
    const udp = ip + (pcap[ip]! & 0x0f) * 4;
    const rtp = udp + 8;
    if (rtp + 12 > end || pcap[rtp]! >> 6 !== 2 || !audioPayloadTypes.has(pcap[rtp + 1]! & 0x7f)) continue;
    const destination = pcap.readUInt16BE(udp + 2);
    if (!options.toPorts.has(destination)) continue;
    packets++;
    const stream = pcap.readUInt16BE(udp) * 65536 + destination;
    const timestamp = pcap.readUInt32BE(rtp + 4);
    const previous = last.get(stream);
    last.set(stream, { arrivalMs, timestamp });
    // `| 0`: the timestamp's difference modulo 2^32, as a signed step.
    if (previous) deviations.record(Math.abs(arrivalMs - previous.arrivalMs - ((timestamp - previous.timestamp) | 0) / unitsPerMs));
  }
  return { ok: true, value: { deviationMs: deviations.summary(), packets, streams: last.size } };
}
