import { isIPv4 } from 'node:net';
import type { CapturedPacket } from '../../core/calls.js';


/** LINKTYPE_RAW: each record starts with an IPv4 header (no Ethernet). */
const LINKTYPE_RAW = 101;

function ipv4Bytes(address: string): number[] {
  // Loopback IPv6 and names never reach here in practice; map them to 127.0.0.1 rather than drop them.
  return (isIPv4(address) ? address : '127.0.0.1').split('.').map(Number);
}

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/**
 * Writes packets as a classic pcap file (microsecond timestamps) that Wireshark, tshark and sngrep
 * read. omnisip never captures from an interface: it rebuilds IPv4/UDP/TCP headers around the
 * payloads its own SIP and RTP layers sent and received. TCP segments carry consistent sequence
 * numbers per direction so that dissectors follow the stream; checksums of UDP/TCP are left 0.
 */
export function writePcap(packets: readonly CapturedPacket[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(LINKTYPE_RAW, 20);
  const chunks: Buffer[] = [header];
  const sequence = new Map<string, number>();
  let ipId = 1;

  for (const packet of [...packets].sort((a, b) => a.at - b.at)) {
    const transportHeaderLength = packet.protocol === 'UDP' ? 8 : 20;
    const total = 20 + transportHeaderLength + packet.payload.length;
    if (total > 65535) continue; // cannot be one IPv4 packet; never happens for SIP/RTP we emit
    const ip = Buffer.alloc(total);
    ip[0] = 0x45;
    ip.writeUInt16BE(total, 2);
    ip.writeUInt16BE(ipId++ & 0xffff, 4);
    ip.writeUInt16BE(0x4000, 6);
    ip[8] = 64;
    ip[9] = packet.protocol === 'UDP' ? 17 : 6;
    Buffer.from(ipv4Bytes(packet.source.address)).copy(ip, 12);
    Buffer.from(ipv4Bytes(packet.destination.address)).copy(ip, 16);
    ip.writeUInt16BE(checksum(ip.subarray(0, 20)), 10);
    ip.writeUInt16BE(packet.source.port, 20);
    ip.writeUInt16BE(packet.destination.port, 22);
    if (packet.protocol === 'UDP') {
      ip.writeUInt16BE(8 + packet.payload.length, 24);
    } else {
      const flow = `${packet.source.address}:${packet.source.port}>${packet.destination.address}:${packet.destination.port}`;
      const reverse = `${packet.destination.address}:${packet.destination.port}>${packet.source.address}:${packet.source.port}`;
      const seq = sequence.get(flow) ?? 1;
      sequence.set(flow, (seq + packet.payload.length) >>> 0);
      ip.writeUInt32BE(seq >>> 0, 24);
      ip.writeUInt32BE((sequence.get(reverse) ?? 1) >>> 0, 28);
      ip[32] = 5 << 4;
      ip[33] = 0x18; // PSH, ACK
      ip.writeUInt16BE(65535, 34);
    }
    Buffer.from(packet.payload).copy(ip, 20 + transportHeaderLength);
    const record = Buffer.alloc(16);
    const micros = Math.round(packet.at * 1000);
    record.writeUInt32LE(Math.floor(micros / 1_000_000), 0);
    record.writeUInt32LE(micros % 1_000_000, 4);
    record.writeUInt32LE(total, 8);
    record.writeUInt32LE(total, 12);
    chunks.push(record, ip);
  }
  return Buffer.concat(chunks);
}
