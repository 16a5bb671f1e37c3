/** Bytes per chunk: a call's packets fill chunks one after another (one 20 ms RTP packet is 188 bytes here). */
export const captureChunkBytes = 64 * 1024;
/** Memory for the chunks being filled is carved from slabs of 32 MiB, allocated only when every piece is in use. */
const chunksPerSlab = 512;

/**
 * Where full chunks go to leave memory: emulator/store's CaptureSpillFile (core does no I/O).
 * Without one, every chunk stays in memory.
 */
export interface CaptureSpill {
  /** Writes `bytes` at `position`; false when it cannot (the chunk then stays in memory) and `problem` says why. */
  write(bytes: Uint8Array, position: number): boolean;
  /** Fills `into` from `position`; throws when the bytes are not there to read. */
  read(into: Uint8Array, position: number): void;
  readonly problem: string | undefined;
}

/**
 * Where every call's captured packets live. A chunk is filled in memory and, once full (or its call
 * has ended), written to a spill file and its memory handed to the next chunk, so the process keeps
 * one 64 KiB chunk per call being captured, however long the calls.
 *
 * Why not keep them in memory: 200 calls capture 3.8 MB/s between them, and a capture is written
 * once and read rarely. On a VM whose kernel samples memory to reclaim what looks cold (DAMON's
 * `kdamond`), that growing, never-touched-again memory of the emulator's own made its RTP late.
 * bench/calls on such a VM (2026-12-04, 200 calls): jitter p99 at the callers 5.10, 6.42 and 5.53
 * ms with every chunk in memory, against 3.70, 3.62 and 3.88 ms written out, runs alternating
 * (RSS 199 against 122 MiB); with the monitor turned off, 4.15 and 4.71 ms in memory against 3.85
 * and 4.02 with no capture at all. Written with write(2), the bytes sit in the page cache, outside
 * the emulator's memory.
 *
 * With no spill (a world built without one, or a spill that cannot write), chunks stay in memory.
 *
 * Memory for the chunks being filled comes from a few large slabs rather than a buffer each: V8
 * counts each new ArrayBuffer as external memory, and many small ones started full collections
 * whose pauses delayed every call's RTP.
 */
export class CaptureChunks {
  private readonly slabs: Buffer[] = [];
  /** 64 KiB pieces of the slabs, and those free. */
  private readonly views: Buffer[] = [];
  private readonly freeViews: number[] = [];
  /** Chunk ids run up from 0; chunk `id` is at `id * captureChunkBytes` in the spill file. */
  private nextId = 0;
  private readonly freeIds: number[] = [];
  /** Chunks in memory, by id: being filled, or kept because there is no spill file. */
  private readonly staged = new Map<number, number>();

  constructor(private readonly spill?: CaptureSpill) {}

  /** Chunks handed out and not given back, in memory or in the file. */
  get inUse(): number {
    return this.nextId - this.freeIds.length;
  }

  /** Pieces of memory allocated so far for chunks (in use or free). */
  get allocated(): number {
    return this.views.length;
  }

  /** Chunks in memory now. */
  get inMemory(): number {
    return this.staged.size;
  }

  /** Chunk places the spill file spans, used or free: what the file holds at most. */
  get extent(): number {
    return this.nextId;
  }

  /** Why full chunks stay in memory: no spill, or the spill's problem. */
  get spillProblem(): string | undefined {
    return this.spill ? this.spill.problem : 'no spill: captures stay in memory';
  }

  /** A chunk id, with memory to fill: `bytes(id)`. Reuses a released id (and its place in the file) when there is one. */
  take(): number {
    const id = this.freeIds.pop() ?? this.nextId++;
    this.staged.set(id, this.takeView());
    return id;
  }

  /** The memory of a chunk being filled. */
  bytes(id: number): Buffer {
    const view = this.staged.get(id);
    if (view === undefined) throw new RangeError(`capture chunk ${id} is not in memory; read it with read()`);
    return this.views[view]!;
  }

  /** The first `used` bytes of a chunk, from memory or from the spill file. */
  read(id: number, used: number): Buffer {
    const view = this.staged.get(id);
    if (view !== undefined) return this.views[view]!.subarray(0, used);
    const bytes = Buffer.allocUnsafe(used);
    this.spill!.read(bytes, id * captureChunkBytes);
    return bytes;
  }

  /** A full chunk (or the last of an ended call) goes to the spill file; its memory goes back for the next. */
  seal(id: number, used: number): void {
    const view = this.staged.get(id);
    if (view === undefined) return;
    if (!this.spill?.write(this.views[view]!.subarray(0, used), id * captureChunkBytes)) return;
    this.staged.delete(id);
    this.freeViews.push(view);
  }

  release(ids: readonly number[]): void {
    for (const id of ids) {
      const view = this.staged.get(id);
      if (view !== undefined) {
        this.staged.delete(id);
        this.freeViews.push(view);
      }
      this.freeIds.push(id);
    }
  }

  private takeView(): number {
    const reused = this.freeViews.pop();
    if (reused !== undefined) return reused;
    const slab = Buffer.allocUnsafeSlow(captureChunkBytes * chunksPerSlab);
    this.slabs.push(slab);
    const first = this.views.length;
    for (let i = 0; i < chunksPerSlab; i++) this.views.push(slab.subarray(i * captureChunkBytes, (i + 1) * captureChunkBytes));
    // Hand out the lowest first, so a lightly used slab stays mostly untouched (not resident).
    for (let view = first + chunksPerSlab - 1; view > first; view--) this.freeViews.push(view);
    return first;
  }
}
