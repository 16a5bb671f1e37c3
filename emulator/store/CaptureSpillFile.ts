import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureSpill } from '../core/CaptureChunks.js';

interface OpenFile {
  fd: number;
  /** Set only where an open file could not be unlinked: it is, once closed. */
  path?: string;
}

function closeFile(file: OpenFile): void {
  try {
    closeSync(file.fd);
    if (file.path) unlinkSync(file.path);
  } catch {
    // Closed already, or removed by someone else: nothing is left to give back.
  }
}

/** Files whose spill went unreachable without close() (a world dropped after use) are closed by the collector. */
const unreachable = new FinalizationRegistry<OpenFile>(closeFile);

/**
 * The file where calls' full capture chunks go (core/CaptureChunks), made on the first chunk in
 * the OS's temporary directory and unlinked at once: nobody else can open it, and it is gone when
 * the process ends, however it ends. The bytes sit in the page cache, outside the process's memory.
 * Mode 0600; it holds the calls' RTP packets as sent and received, never a password (test/journal.test.ts reads it).
 */
export class CaptureSpillFile implements CaptureSpill {
  private file: OpenFile | undefined;
  problem: string | undefined;

  constructor(private readonly dir = tmpdir()) {}

  write(bytes: Uint8Array, position: number): boolean {
    const fd = this.open();
    if (fd === undefined) return false;
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
    return true;
  }

  read(into: Uint8Array, position: number): void {
    if (this.file === undefined) throw new Error(`the capture spill file is closed; the chunk at ${position} cannot be read`);
    for (let done = 0; done < into.length; ) {
      const read = readSync(this.file.fd, into, done, into.length - done, position + done);
      if (read === 0) throw new Error(`the capture spill file ends ${into.length - done} bytes short of the chunk at ${position}`);
      done += read;
    }
  }

  /** Closes the file; chunks written to it can no longer be read, and later ones stay in memory. */
  close(): void {
    if (this.file === undefined) return;
    unreachable.unregister(this);
    closeFile(this.file);
    this.file = undefined;
    this.problem = 'the capture spill file is closed; captures stay in memory';
  }

  private open(): number | undefined {
    if (this.file) return this.file.fd;
    if (this.problem !== undefined) return undefined;
    const path = join(this.dir, `omnisip-capture-${process.pid}-${randomBytes(6).toString('hex')}`);
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
      this.file = { fd, path };
    }
    unreachable.register(this, this.file, this);
    return fd;
  }
}
