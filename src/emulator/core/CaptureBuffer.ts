import type { CapturedPacket } from './calls.js';

/**
 * The packets of one call, kept compactly: payload bytes in one growing buffer, and times,
 * addresses and lengths in typed arrays. A call's RTP adds 100 packets a second; as one object
 * each, 200 calls kept the garbage collector busy enough to delay RTP frames (bench/calls). Here
 * they cost a memcpy and no object, and become `CapturedPacket`s only when a pcap is asked for.
 */
export class CaptureBuffer {
  private bytes = Buffer.allocUnsafe(16 * 1024);
  private used = 0;
  private count = 0;
  private at = new Float64Array(64);
  private offsets = new Uint32Array(64);
  private lengths = new Uint32Array(64);
  /** Source and destination as indexes into `endpoints`, and the protocol (0 UDP, 1 TCP). */
  private sources = new Uint16Array(64);
  private destinations = new Uint16Array(64);
  private protocols = new Uint8Array(64);
  private readonly endpoints: Array<{ address: string; port: number }> = [];
  private readonly endpointIndex = new Map<string, number>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.count;
  }

  /** Keeps a copy of the packet; false once the call has `limit` packets. */
  push(packet: CapturedPacket): boolean {
    if (this.count >= this.limit) return false;
    if (this.count === this.at.length) this.growIndex();
    const length = packet.payload.length;
    if (this.used + length > this.bytes.length) this.growBytes(this.used + length);
    this.bytes.set(packet.payload, this.used);
    const i = this.count++;
    this.at[i] = packet.at;
    this.offsets[i] = this.used;
    this.lengths[i] = length;
    this.sources[i] = this.endpointOf(packet.source);
    this.destinations[i] = this.endpointOf(packet.destination);
    this.protocols[i] = packet.protocol === 'TCP' ? 1 : 0;
    this.used += length;
    return true;
  }

  packets(): CapturedPacket[] {
    const out: CapturedPacket[] = [];
    for (let i = 0; i < this.count; i++) {
      const offset = this.offsets[i]!;
      out.push({
        at: this.at[i]!,
        protocol: this.protocols[i] === 1 ? 'TCP' : 'UDP',
        source: this.endpoints[this.sources[i]!]!,
        destination: this.endpoints[this.destinations[i]!]!,
        payload: this.bytes.subarray(offset, offset + this.lengths[i]!),
      });
    }
    return out;
  }

  private endpointOf(endpoint: { address: string; port: number }): number {
    const key = `${endpoint.address}|${endpoint.port}`;
    let index = this.endpointIndex.get(key);
    if (index === undefined) {
      // A call has a handful of endpoints; past 65,535 the last one stands in (never reached in practice).
      index = Math.min(this.endpoints.length, 0xffff);
      if (index === this.endpoints.length) this.endpoints.push({ address: endpoint.address, port: endpoint.port });
      this.endpointIndex.set(key, index);
    }
    return index;
  }

  private growBytes(needed: number): void {
    let size = this.bytes.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.bytes.copy(next, 0, 0, this.used);
    this.bytes = next;
  }

  private growIndex(): void {
    const size = this.at.length * 2;
    const grow = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.at = grow(this.at, (n) => new Float64Array(n));
    this.offsets = grow(this.offsets, (n) => new Uint32Array(n));
    this.lengths = grow(this.lengths, (n) => new Uint32Array(n));
    this.sources = grow(this.sources, (n) => new Uint16Array(n));
    this.destinations = grow(this.destinations, (n) => new Uint16Array(n));
    this.protocols = grow(this.protocols, (n) => new Uint8Array(n));
  }
}
