import type { CapturedPacket } from './calls.js';
import { captureChunkBytes, type CaptureChunks } from './CaptureChunks.js';

export { captureChunkBytes, CaptureChunks, type CaptureSpill } from './CaptureChunks.js';

/** Each record: time (float64), payload length (uint32), source and destination (uint16 each), protocol (uint8), 3 spare. */
const recordHeaderBytes = 20;
/** Endpoint objects remembered by identity per capture: a call's two RTP ends, each as source and destination. */
const recentEndpoints = 4;

type Endpoint = { readonly address: string; readonly port: number };

/**
 * The packets of one call, kept compactly: each as a 20-byte header and its bytes, one after
 * another in chunks of a shared `CaptureChunks`. A call's RTP adds 100 packets a second; as one
 * object each, 200 calls kept the garbage collector busy enough to delay RTP frames (bench/calls).
 * Here a packet costs a memcpy and no object, and becomes a `CapturedPacket` only when a pcap is
 * asked for. `release()` gives the chunks back; the buffer is empty afterwards.
 */
export class CaptureBuffer {
  private readonly chunkIds: number[] = [];
  /** Bytes used in each chunk of `chunkIds`. */
  private readonly chunkUsed: number[] = [];
  /** The bytes of the last chunk in `chunkIds`, where the next packet goes, and a view to write its records' headers. */
  private current: Buffer | undefined;
  private currentView: DataView | undefined;
  /** Bytes used in the current chunk (`chunkUsed`'s last entry, kept apart while the chunk fills). */
  private currentUsed = 0;
  /** Packets too big for a chunk (a SIP message over TCP can be), by packet index. */
  private readonly oversized = new Map<number, Uint8Array>();
  private count = 0;
  private readonly endpoints: Array<{ address: string; port: number }> = [];
  private readonly endpointIndex = new Map<string, number>();
  /**
   * The endpoint objects seen last and their indexes: an RTP session passes the same objects for
   * every packet, and matching them by identity spares a key string per endpoint per packet.
   */
  private readonly recent: Endpoint[] = [];
  private readonly recentIndex: number[] = [];
  private recentNext = 0;

  constructor(
    private readonly limit: number,
    private readonly chunks: CaptureChunks,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Keeps a copy of the packet; false once the call has `limit` packets. */
  push(packet: CapturedPacket): boolean {
    return this.add(packet.at, packet.protocol, packet.source, packet.destination, packet.payload);
  }

  /** `push` without the packet object: the RTP path, 100 times a second per call. */
  add(at: number, protocol: CapturedPacket['protocol'], source: Endpoint, destination: Endpoint, payload: Uint8Array): boolean {
    if (this.count >= this.limit) return false;
    const length = payload.length;
    const inline = recordHeaderBytes + length <= captureChunkBytes;
    const needed = recordHeaderBytes + (inline ? length : 0);
    let bytes = this.current;
    let view = this.currentView;
    if (bytes === undefined || view === undefined || this.currentUsed + needed > captureChunkBytes) {
      this.seal();
      const id = this.chunks.take();
      this.chunkIds.push(id);
      this.chunkUsed.push(0);
      bytes = this.current = this.chunks.bytes(id);
      view = this.currentView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.currentUsed = 0;
    }
    const offset = this.currentUsed;
    // A DataView, not Buffer's writeDoubleLE and friends: those are JavaScript that copies the
    // double byte by byte, a fifth of this method's time at 20,000 packets a second (bench/calls).
    view.setFloat64(offset, at, true);
    view.setUint32(offset + 8, length, true);
    view.setUint16(offset + 12, this.endpointOf(source), true);
    view.setUint16(offset + 14, this.endpointOf(destination), true);
    bytes[offset + 16] = protocol === 'TCP' ? 1 : 0;
    if (inline) bytes.set(payload, offset + recordHeaderBytes);
    else this.oversized.set(this.count, Uint8Array.from(payload));
    this.currentUsed = offset + needed;
    this.count++;
    return true;
  }

  /** Every packet kept, in order; payloads are views into the chunks (read back from the spill file for all but the last), valid until `release()`. */
  packets(): CapturedPacket[] {
    this.closeChunk();
    const out: CapturedPacket[] = [];
    this.chunkIds.forEach((id, k) => {
      const used = this.chunkUsed[k]!;
      const bytes = this.chunks.read(id, used);
      for (let offset = 0; offset < used; ) {
        const length = bytes.readUInt32LE(offset + 8);
        const inline = recordHeaderBytes + length <= captureChunkBytes;
        out.push({
          at: bytes.readDoubleLE(offset),
          protocol: bytes[offset + 16] === 1 ? 'TCP' : 'UDP',
          source: this.endpoints[bytes.readUInt16LE(offset + 12)]!,
          destination: this.endpoints[bytes.readUInt16LE(offset + 14)]!,
          payload: inline ? bytes.subarray(offset + recordHeaderBytes, offset + recordHeaderBytes + length) : this.oversized.get(out.length)!,
        });
        offset += recordHeaderBytes + (inline ? length : 0);
      }
    });
    return out;
  }

  /** Gives the chunks back for other calls to use. */
  release(): void {
    this.chunks.release(this.chunkIds);
    this.chunkIds.length = 0;
    this.chunkUsed.length = 0;
    this.current = undefined;
    this.currentView = undefined;
    this.currentUsed = 0;
    this.oversized.clear();
    this.count = 0;
  }

  /**
   * Sends the chunk being filled to the spill file (CaptureChunks), so that an ended call holds no
   * memory; a packet added afterwards starts a new chunk.
   */
  seal(): void {
    if (this.current === undefined) return;
    this.closeChunk();
    this.chunks.seal(this.chunkIds[this.chunkIds.length - 1]!, this.currentUsed);
    this.current = undefined;
    this.currentView = undefined;
    this.currentUsed = 0;
  }

  /** Writes the current chunk's fill level back to `chunkUsed` (the chunk stays current). */
  private closeChunk(): void {
    if (this.current !== undefined) this.chunkUsed[this.chunkUsed.length - 1] = this.currentUsed;
  }

  private endpointOf(endpoint: Endpoint): number {
    for (let i = 0; i < this.recent.length; i++) if (this.recent[i] === endpoint) return this.recentIndex[i]!;
    const index = this.endpointByKey(endpoint);
    const slot = this.recent.length < recentEndpoints ? this.recent.length : this.recentNext++ % recentEndpoints;
    this.recent[slot] = endpoint;
    this.recentIndex[slot] = index;
    return index;
  }

  private endpointByKey(endpoint: Endpoint): number {
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
}
