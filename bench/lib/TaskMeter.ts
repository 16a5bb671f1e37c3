import { readdirSync, readFileSync } from 'node:fs';

/** One thread's scheduler counters at a moment, from /proc (Linux). */
export interface TaskSample {
  pid: number;
  tid: number;
  /** The thread's name (`comm`), e.g. `kdamond.0` or `node`. */
  name: string;
  /** A kernel thread (PF_KTHREAD): kernel work with no program behind it. */
  kernel: boolean;
  /** Time it has run on a CPU, in ns (the first field of its schedstat). */
  cpuNs: number;
  /** How many times it has been given a CPU (the third field of its schedstat). */
  slices: number;
}

/** A thread outside the benchmark that ran while it measured. */
export interface OtherTask {
  name: string;
  tid: number;
  kernel: boolean;
  /** CPU it used over the window, in percent of one CPU. */
  cpuPercent: number;
  /**
   * Its CPU time over the window divided by the times it was given a CPU: how long it held one
   * each time, on average, in ms. A thread that holds a CPU for 4 ms at a time keeps a process
   * that needs that CPU waiting as long, however small its share.
   */
  meanSliceMs: number;
}

/** PF_KTHREAD in /proc/<pid>/stat's flags (include/linux/sched.h). */
const PF_KTHREAD = 0x00200000;

/** `<ns on CPU> <ns waiting for a CPU> <times scheduled>` from /proc/<pid>/task/<tid>/schedstat. */
export function parseSchedstat(text: string): { cpuNs: number; waitNs: number; slices: number } | undefined {
  const [cpu, wait, slices] = text.trim().split(/\s+/).map(Number);
  return Number.isFinite(cpu) && Number.isFinite(wait) && Number.isFinite(slices) ? { cpuNs: cpu!, waitNs: wait!, slices: slices! } : undefined;
}

/** Whether a /proc/<pid>/stat line is a kernel thread's: its flags field (the 9th) has PF_KTHREAD. */
export function isKernelThreadStat(stat: string): boolean {
  const flags = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[6]);
  return Number.isFinite(flags) && (flags & PF_KTHREAD) !== 0;
}

const numericEntries = (dir: string): number[] => {
  try {
    return readdirSync(dir).filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return [];
  }
};

/** Every thread of every process but `ours` and the processes they started, as /proc shows it now; undefined off Linux. */
export function sampleTasks(ours: ReadonlySet<number>): TaskSample[] | undefined {
  const pids = numericEntries('/proc');
  if (pids.length === 0) return undefined;
  const processes = new Map<number, { ppid: number; kernel: boolean }>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      processes.set(pid, { ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), kernel: isKernelThreadStat(stat) });
    } catch {
      // it ended between the listing and now
    }
  }
  const samples: TaskSample[] = [];
  for (const [pid, { kernel }] of processes) {
    if (descendsFrom(pid, ours, processes)) continue;
    for (const tid of numericEntries(`/proc/${pid}/task`)) {
      try {
        const counters = parseSchedstat(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8'));
        if (!counters) continue;
        samples.push({ pid, tid, name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(), kernel, cpuNs: counters.cpuNs, slices: counters.slices });
      } catch {
        // the thread ended between the listing and now
      }
    }
  }
  return samples;
}

/** Whether `pid` is one of `ours` or was started by one of them, at any depth (Kamailio's workers, SIPp). */
function descendsFrom(pid: number, ours: ReadonlySet<number>, processes: ReadonlyMap<number, { ppid: number }>): boolean {
  for (let at: number | undefined = pid, depth = 0; at !== undefined && at > 1 && depth < 64; at = processes.get(at)?.ppid, depth++) {
    if (ours.has(at)) return true;
  }
  return false;
}

/**
 * The threads that used at least `minPercent` of a CPU between two samples taken `elapsedMs`
 * apart, most CPU first. A thread seen only at the end counts from zero; one gone by the end is
 * not counted (its last counters are lost with it).
 */
export function otherTasksBetween(start: readonly TaskSample[], end: readonly TaskSample[], elapsedMs: number, minPercent = 0.1): OtherTask[] {
  if (elapsedMs <= 0) return [];
  const before = new Map(start.map((task) => [task.tid, task]));
  const tasks: OtherTask[] = [];
  for (const task of end) {
    const first = before.get(task.tid);
    const cpuNs = task.cpuNs - (first?.cpuNs ?? 0);
    const slices = task.slices - (first?.slices ?? 0);
    const cpuPercent = (100 * cpuNs) / (elapsedMs * 1e6);
    if (cpuNs <= 0 || slices <= 0 || cpuPercent < minPercent) continue;
    tasks.push({ name: task.name, tid: task.tid, kernel: task.kernel, cpuPercent, meanSliceMs: cpuNs / slices / 1e6 });
  }
  return tasks.sort((a, b) => b.cpuPercent - a.cpuPercent);
}

/** `kdamond.0 (kernel thread) 0.8% of a CPU, 4.10 ms a slice; tokio-rt-worker 0.3%, 1.20 ms a slice`. */
export function describeOtherTasks(tasks: readonly OtherTask[] | undefined, limit = 4): string {
  if (tasks === undefined) return 'n/a (no /proc)';
  if (tasks.length === 0) return 'none used 0.1% of a CPU or more';
  return tasks
    .slice(0, limit)
    .map((t, i) => `${t.name}${t.kernel ? ' (kernel thread)' : ''} ${t.cpuPercent.toFixed(1)}%${i === 0 ? ' of a CPU' : ''}, ${t.meanSliceMs.toFixed(2)} ms a slice`)
    .join('; ');
}

/**
 * The threads among `tasks` that held a CPU for at least `minSliceMs` at a time on average and
 * used at least `minPercent` of one: those that can hold up a benchmark's packets or requests by
 * as long, e.g. `kdamond.0 4.0 ms`. The short description of each, longest slice first.
 */
export function longSlices(tasks: readonly OtherTask[] | undefined, minSliceMs = 1, minPercent = 0.2): string[] {
  return (tasks ?? [])
    .filter((t) => t.meanSliceMs >= minSliceMs && t.cpuPercent >= minPercent)
    .sort((a, b) => b.meanSliceMs - a.meanSliceMs)
    .map((t) => `${t.name} ${t.meanSliceMs.toFixed(1)} ms`);
}

/**
 * Which threads outside the benchmark ran while it measured, and how long each held a CPU at a
 * time. A benchmark that needs both CPUs of a 2-CPU machine is delayed as long as another thread
 * holds one: on one VM a kernel thread (`kdamond.0`, the kernel's memory-access monitor, set up by
 * the VM's platform) ran for about 4 ms every 512 ms, 0.8% of a CPU that no load figure shows,
 * and every RTP packet due in those 4 ms went out late. /proc is read at the start and the end
 * only, so the meter adds nothing while the benchmark runs.
 *
 * @example
 * const meter = new TaskMeter([server.pid]);
 * await runLoad(...);
 * describeOtherTasks(meter.stop()); // 'kdamond.0 (kernel thread) 0.8% of a CPU, 4.10 ms a slice'
 */
export class TaskMeter {
  private readonly excluded: Set<number>;
  private readonly start: TaskSample[] | undefined;
  private readonly startedAt = performance.now();

  /**
   * `ours`: the benchmark's own processes besides this one. Neither they, this process, nor any
   * process they or this one started (SIPp, a server's workers) count.
   */
  constructor(ours: readonly number[] = []) {
    this.excluded = new Set([process.pid, ...ours]);
    this.start = sampleTasks(this.excluded);
  }

  /** The other threads that used at least `minPercent` of a CPU since construction; undefined off Linux. */
  stop(minPercent = 0.1): OtherTask[] | undefined {
    const end = sampleTasks(this.excluded);
    if (!this.start || !end) return undefined;
    return otherTasksBetween(this.start, end, performance.now() - this.startedAt, minPercent);
  }
}
