import { closeSync, openSync, writeSync } from 'node:fs';
import type { JournalEntry } from './entries.js';

/** Written at once past this many bytes; otherwise at the next turn of the event loop. */
const FLUSH_BYTES = 64 * 1024;

/**
 * The journal as NDJSON (one entry per line), for `--journal FILE`: what a CI job keeps and
 * `omnisip replay` reads. Lines are gathered and written once per turn of the event loop, so a busy
 * PBX does not pay a system call per message; `close()` writes what is left.
 */
export class NdjsonFile {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  private closed = false;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (error) {
      throw new Error(`omnisip: cannot write the journal to ${path}: ${(error as Error).message}`);
    }
  }

  /** The journal sink: `new Journal({ sinks: [file.write] })`. */
  readonly write = (entry: JournalEntry): void => {
    if (this.closed) return;
    const line = `${JSON.stringify(entry)}\n`;
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  };

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.closed) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    writeSync(this.fd, text);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }
}
