import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/**
 * One line of the change log: `<bytes> <crc32> <json>\n`. The byte count and checksum cover the
 * JSON, so a line cut short by a crash (a torn write) or damaged on disk is told apart from a
 * whole one instead of being half-applied.
 */
export function encodeLine(entry: unknown): string {
  const json = JSON.stringify(entry);
  return `${Buffer.byteLength(json)} ${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

/** The entry of one line, or why it is not a whole one. */
export function decodeLine(line: string): { ok: true; entry: unknown } | { ok: false; reason: string } {
  const match = /^(\d+) ([0-9a-f]{8}) (.*)$/s.exec(line);
  if (!match) return { ok: false, reason: 'no length and checksum at its start' };
  const json = match[3]!;
  if (Buffer.byteLength(json) !== Number(match[1])) return { ok: false, reason: `length ${Buffer.byteLength(json)}, expected ${match[1]}` };
  if (crc32(json).toString(16).padStart(8, '0') !== match[2]) return { ok: false, reason: 'checksum mismatch' };
  try {
    return { ok: true, entry: JSON.parse(json) };
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
}

/** What a change log holds: its whole entries, and the last line if it was not whole (ignored). */
export interface LogContents {
  entries: unknown[];
  torn?: { line: number; reason: string };
}

/**
 * Reads a change log. A bad last line is what a crash in the middle of an append leaves: it is
 * reported and ignored (its request never got a 2xx). A bad line with whole lines after it is
 * damage no crash explains, and replaying around it could resurrect deleted state: that throws.
 */
export function readChangeLog(path: string): LogContents {
  if (!existsSync(path)) return { entries: [] };
  const lines = readFileSync(path, 'utf8').split('\n');
  // The text after the last newline: empty when the last append completed.
  const tail = lines.pop()!;
  const entries: unknown[] = [];
  let torn: LogContents['torn'];
  lines.forEach((line, index) => {
    const decoded = decodeLine(line);
    if (torn) throw damaged(path, torn.line, torn.reason);
    if (decoded.ok) entries.push(decoded.entry);
    else torn = { line: index + 1, reason: decoded.reason };
  });
  if (tail !== '') {
    if (torn) throw damaged(path, torn.line, torn.reason);
    torn = { line: lines.length + 1, reason: 'no newline at its end (torn write)' };
  }
  return torn ? { entries, torn } : { entries };
}

function damaged(path: string, line: number, reason: string): Error {
  return new Error(`omnisip: the state dir's change log ${path} is damaged at line ${line} (${reason}) and has whole lines after it; this is not what a crash leaves. Move the state dir aside and start again, or remove that line by hand if you know what it held.`);
}

/** An append-only, fsynced change log: when `append` returns, the entry is on disk. */
export class ChangeLog {
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a', 0o600);
  }

  /** Writes one entry and waits for the disk (fsync): a 2xx sent after this cannot be lost by a crash. */
  append(entry: unknown): void {
    if (this.fd === undefined) throw new Error(`omnisip: change log ${this.path} is closed; a change after close() is not recorded`);
    writeSync(this.fd, encodeLine(entry));
    fsyncSync(this.fd);
  }

  /** Empties the log (after a snapshot holds everything it said). */
  truncate(): void {
    if (this.fd === undefined) return;
    ftruncateSync(this.fd, 0);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
