import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/logger.js';
import { ChangeLog, readChangeLog } from './ChangeLog.js';
import { applyChange, captureSnapshot, emptySnapshot, parseSnapshot, restoreSnapshot, watchChanges, type ChangeEntry, type StateSnapshot, type StateSources } from './snapshot.js';

export const snapshotFile = 'snapshot.json';
export const changeLogFile = 'changes.log';
/** The pid of the emulator that has the directory open: two writers would interleave logs and compactions. */
export const lockFile = 'owner.pid';

/** What opening a state dir found and did, for the start-up log line and tests. */
export interface RestoredState {
  /** Whole change log entries replayed on the snapshot. */
  replayed: number;
  /** The change log's last line, when a crash cut it short: ignored (its request got no 2xx). */
  torn?: { line: number; reason: string };
  counts: { projects: number; agents: number; channelConfigs: number; sipConnections: number; pbxAccounts: number; faultRules: number };
}

/**
 * Durable state in a directory (`--state-dir`): a snapshot (`snapshot.json`) and an append-only
 * change log (`changes.log`, one checksummed JSON line per acknowledged mutation, fsynced before
 * the store's change returns, so before the request's 2xx). Opening it restores the stores from
 * snapshot + log, writes a new snapshot (tmp file, fsync, rename, fsync of the directory) and
 * empties the log; from then on it follows the stores' changes.
 *
 * @example
 * const state = StateStore.open('/var/lib/omnisip', { projects, faults, accounts, ids, now: clock.now }, logger);
 * // … every create, patch and delete is on disk when its store call returns …
 * state.close();
 */
export class StateStore {
  private constructor(
    readonly dir: string,
    readonly restored: RestoredState,
    private readonly log: ChangeLog,
    private readonly unwatch: () => void,
  ) {}

  /** Restores the stores from `dir` (created if missing) and follows their changes. The stores should be empty. */
  static open(dir: string, sources: StateSources, logger: Logger): StateStore {
    prepareDir(dir);
    claim(dir);
    const snapshotPath = join(dir, snapshotFile);
    const logPath = join(dir, changeLogFile);
    let saved = existsSync(snapshotPath) ? parseSnapshot(readJson(snapshotPath), snapshotPath) : emptySnapshot();
    const { entries, torn } = readChangeLog(logPath);
    if (torn) logger.warn(`state dir ${dir}: ignored the change log's last line ${torn.line} (${torn.reason}): a write cut short by a crash, whose request got no response`);
    for (const entry of entries) saved = applyChange(saved, entry as ChangeEntry);
    restoreSnapshot(sources, saved);

    // Compact: the snapshot now holds everything the log said. The log is emptied only once the
    // new snapshot is durable; a crash in between replays the log on a snapshot holding it, which
    // changes nothing (each change is an assignment).
    writeSnapshot(dir, captureSnapshot(sources, { withSecrets: true, carried: saved }));
    const log = new ChangeLog(logPath);
    log.truncate();
    const unwatch = watchChanges(sources, (entry) => log.append(entry));
    const restored: RestoredState = { replayed: entries.length, ...(torn && { torn }), counts: countsOf(saved) };
    return new StateStore(dir, restored, log, unwatch);
  }

  /** Stops following the stores and closes the log; everything acknowledged is already on disk. */
  close(): void {
    this.unwatch();
    this.log.close();
    rmSync(join(this.dir, lockFile), { force: true });
  }
}

/**
 * Takes the directory for this process. A lock left by a process that is gone (kill -9) is taken
 * over; one held by a live other process is refused. The same process may open it again (a world
 * rebuilt in-process, as the tests do after a simulated crash).
 */
function claim(dir: string): void {
  const path = join(dir, lockFile);
  const owner = existsSync(path) ? Number(readFileSync(path, 'utf8').trim()) : undefined;
  if (owner !== undefined && Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
    throw new Error(`omnisip: the state dir ${dir} is in use by another emulator (pid ${owner}); two would overwrite each other's changes. Stop that one, or give this one its own --state-dir.`);
  }
  writeFileSync(path, `${process.pid}\n`, { mode: 0o600 });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function prepareDir(dir: string): void {
  try {
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    }
  } catch (error) {
    throw new Error(`omnisip: cannot create the state dir ${dir}: ${(error as Error).message}. Pick a writable directory with --state-dir.`);
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`omnisip: cannot read the state snapshot ${path}: ${(error as Error).message}. It is written atomically, so this is damage from outside omnisip: restore it from a backup or an export (omnisip state import), or move the state dir aside.`);
  }
}

/** Writes the snapshot atomically: a crash leaves either the old file or the new one, whole. */
export function writeSnapshot(dir: string, snapshot: StateSnapshot): void {
  const path = join(dir, snapshotFile);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(snapshot)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  // The rename is durable only once the directory's entry is.
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

function countsOf(snapshot: StateSnapshot): RestoredState['counts'] {
  const sum = (pick: (p: StateSnapshot['projects'][number]) => unknown[]) => snapshot.projects.reduce((n, p) => n + pick(p).length, 0);
  return {
    projects: snapshot.projects.length,
    agents: sum((p) => p.agents),
    channelConfigs: sum((p) => p.channelConfigs),
    sipConnections: sum((p) => p.sipConnections),
    pbxAccounts: snapshot.pbxAccounts.length,
    faultRules: snapshot.faultRules.length,
  };
}
