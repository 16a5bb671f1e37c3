import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeLog, decodeLine, encodeLine, readChangeLog } from './ChangeLog.js';

describe('ChangeLog', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'omnisip-log-'));
    path = join(dir, 'changes.log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back every appended entry, in order, from a file of mode 0600', () => {
    const log = new ChangeLog(path);
    log.append({ n: 1 });
    log.append({ n: 2, text: 'héllo\nworld' });
    log.close();
    expect(readChangeLog(path)).toEqual({ entries: [{ n: 1 }, { n: 2, text: 'héllo\nworld' }] });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('ignores a torn last line (cut short by a crash) and says which', () => {
    const log = new ChangeLog(path);
    log.append({ n: 1 });
    log.close();
    const whole = encodeLine({ n: 2 });
    appendFileSync(path, whole.slice(0, whole.length - 5));
    const contents = readChangeLog(path);
    expect(contents.entries).toEqual([{ n: 1 }]);
    expect(contents.torn).toMatchObject({ line: 2 });
  });

  it('ignores a last line whose checksum does not match, even with its newline', () => {
    writeFileSync(path, encodeLine({ n: 1 }) + encodeLine({ n: 2 }).replace('"n":2', '"n":3'));
    const contents = readChangeLog(path);
    expect(contents.entries).toEqual([{ n: 1 }]);
    expect(contents.torn).toEqual({ line: 2, reason: 'checksum mismatch' });
    expect(decodeLine(encodeLine({ n: 2 }).trimEnd())).toEqual({ ok: true, entry: { n: 2 } });
  });

  it('refuses a damaged line that has whole lines after it (no crash leaves that)', () => {
    writeFileSync(path, encodeLine({ n: 1 }) + encodeLine({ n: 2 }).replace('"n":2', '"n":3') + encodeLine({ n: 4 }));
    expect(() => readChangeLog(path)).toThrow(/damaged at line 2 \(checksum mismatch\).*Move the state dir aside/);
  });

  it('truncate empties the log; later appends start a fresh one', () => {
    const log = new ChangeLog(path);
    log.append({ n: 1 });
    log.truncate();
    log.append({ n: 2 });
    log.close();
    expect(readChangeLog(path).entries).toEqual([{ n: 2 }]);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(2);
  });

  it('reads a missing log as empty', () => {
    expect(readChangeLog(join(dir, 'none.log'))).toEqual({ entries: [] });
  });
});
