import { readFileSync } from 'node:fs';
import { parseSchedstat } from './TaskMeter.js';

/**
 * How long the main thread of process `pid` has been ready to run but waiting for a CPU, in ns
 * since it started: the second field of /proc/<pid>/task/<pid>/schedstat. Undefined when /proc
 * cannot say (another OS, or the process is gone).
 */
export function runQueueWaitNs(pid: number): number | undefined {
  try {
    return parseSchedstat(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8'))?.waitNs;
  } catch {
    return undefined;
  }
}

/**
 * The share of a window that each process's main thread spent waiting for a CPU while it had work:
 * what a media process's late packets come from when it is not busy itself. Two processes that
 * tick every millisecond and land on one CPU wait for each other; on a 2-CPU VM the emulator's
 * and the callers' main threads waited 3.7% and 4.8% of a window so, up to 9 ms at a time.
 * /proc is read at the start and at `stop()` only.
 */
export class RunQueueMeter {
  private readonly start: Array<number | undefined>;
  private readonly at = performance.now();

  constructor(private readonly pids: readonly number[]) {
    this.start = pids.map(runQueueWaitNs);
  }

  /** Per process, in the constructor's order: the share of the window (0–1) waited; undefined when /proc could not say. */
  stop(): Array<number | undefined> {
    const elapsedNs = (performance.now() - this.at) * 1e6;
    return this.pids.map((pid, i) => {
      const before = this.start[i];
      const after = runQueueWaitNs(pid);
      return before === undefined || after === undefined || elapsedNs <= 0 ? undefined : Math.max(0, after - before) / elapsedNs;
    });
  }
}
