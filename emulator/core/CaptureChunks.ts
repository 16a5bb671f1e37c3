import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bytes per chunk: a call's packets fill chunks one after another (one 20 ms RTP packet is 188 bytes here). */
export const captureChunkBytes = 64 * 1024;
/** Memory for the chunks being filled is carved from slabs of 32 MiB, allocated only when every piece is in use. */
const chunksPerSlab = 512;

export interface CaptureChunksOptions {
  /** Where the spill file is made (and at once unlinked); default the OS's temporary directory. */
  dir?: string;
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
 * The file is unlinked as soon as it is open: nobody else can open it, and it is gone when the
 * process ends, however it ends. When it cannot be made (a read-only temporary directory), chunks
 * stay in memory, as before, and `spillProblem` says why.
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
  private file: { fd: number; path?: string } | undefined;
  private problem: string | undefined;

  constructor(private readonly options: CaptureChunksOptions = {}) {}

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

  /** Why chunks stay in memory, when the spill file could not be made. */
  get spillProblem(): string | undefined {
    return this.problem;
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
    if (this.file === undefined) throw new Error(`capture chunk ${id} is in the spill file, which is closed (the emulator has stopped)`);
    const bytes = Buffer.allocUnsafe(used);
    for (let done = 0; done < used; ) {
      const read = readSync(this.file.fd, bytes, done, used - done, id * captureChunkBytes + done);
      if (read === 0) throw new Error(`capture chunk ${id}: the spill file ended ${used - done} bytes early`);
      done += read;
    }
    return bytes;
  }

  /** A full chunk (or the last of an ended call) goes to the spill file; its memory goes back for the next. */
  seal(id: number, used: number): void {
    const view = this.staged.get(id);
    if (view === undefined) return;
    const fd = this.spillFile();
    if (fd === undefined) return;
    const bytes = this.views[view]!;
    for (let done = 0; done < used; ) done += writeSync(fd, bytes, done, used - done, id * captureChunkBytes + done);
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

  /** Closes the spill file; chunks sealed afterwards stay in memory. */
  close(): void {
    const file = this.file;
    if (file === undefined) return;
    this.problem = 'closed';
    closeSync(file.fd);
    if (file.path) unlinkSync(file.path);
    this.file = undefined;
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

  private spillFile(): number | undefined {
    if (this.file) return this.file.fd;
    if (this.problem !== undefined) return undefined;
    const path = join(this.options.dir ?? tmpdir(), `omnisip-capture-${process.pid}-${randomBytes(6).toString('hex')}`);
    let fd: number;
    try {
      fd = openSync(path, 'wx+', 0o600);
    } catch (error) {
      this.problem = `cannot make the capture spill file ${path} (${(error as Error).message}); captures stay in memory`;
      return undefined;
    }
    try {
      unlinkSync(path);
      this.file = { fd };
    } catch {
      // Where an open file cannot be unlinked, it is when closed.
      this.file = { fd, path };
    }
    return fd;
  }
}
