import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The SCHED_FIFO priority of `--priority realtime`: above every normal task, below the kernel's own real-time threads (50 and up). */
export const REALTIME_PRIORITY = 10;

/** `--priority`: a nice value from -20 (highest) to 19, or `realtime`. */
export type PriorityRequest = number | 'realtime';

/**
 * Sets this process's scheduling priority to `nice` (-20 highest, 19 lowest) for `--priority`, as
 * a media server raises its own: a media process that waits for a CPU sends its RTP late, and on
 * a busy machine (a CI runner running other jobs) a higher priority lets it run first. The
 * priority is the main thread's, where the packets are paced and sent; threads started later
 * inherit it.
 *
 * Returns undefined when set, or a warning that says why not and what to do: going below the
 * current value needs root or CAP_SYS_NICE, and the emulator then runs on at the priority it has.
 */
export function setProcessPriority(nice: number, set: (pid: number, priority: number) => void = os.setPriority, get: (pid: number) => number = os.getPriority): string | undefined {
  try {
    set(0, nice);
    return undefined;
  } catch (error) {
    // Node's SystemError keeps the errno's name (EACCES) in info; its own code is ERR_SYSTEM_ERROR.
    const code = (error as { info?: { code?: string } }).info?.code ?? (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const current = get(0);
    const hint = nice < current ? '; a priority above the one it has needs root or CAP_SYS_NICE (e.g. sudo setcap cap_sys_nice+ep "$(command -v node)")' : '';
    return `could not set the process priority to ${nice} (${code})${hint}; running at priority ${current}`;
  }
}

type Run = (command: string, args: string[]) => { error?: Error; status: number | null; stderr: string };
const runCommand: Run = (command, args) => spawnSync(command, args, { encoding: 'utf8' });

/**
 * `--priority realtime`: every thread of process `pid` under SCHED_FIFO at REALTIME_PRIORITY, as
 * Asterisk's `-p` and FreeSWITCH's `-rp` run theirs, through util-linux's `chrt` (Node cannot set
 * a scheduling policy). A nice value orders normal tasks among themselves; a real-time one runs
 * before all of them and is moved at once to a free CPU when its own is taken, even by a kernel
 * thread: on a VM whose memory monitor (`kdamond`) held a CPU for 4 ms every 512 ms, only this
 * kept the calls' jitter under 5 ms. The kernel's real-time throttling still leaves normal tasks
 * 5% of each CPU, should the emulator ever spin.
 *
 * Not on a single CPU (`cpus`: those this process may run on, its affinity): V8's garbage collector
 * waits, spinning, for helper threads of the same real-time priority, and on one CPU they never get
 * it. Measured under 200 calls pinned to one CPU: 95% of it in the garbage collector, the kernel's
 * throttling the only brake, and the calls' jitter at 45 ms. It then refuses and runs on as it is.
 *
 * Returns undefined when set, or a warning that says why not and what to do.
 */
export function setRealtimePriority(pid: number = process.pid, run: Run = runCommand, cpus: number = os.availableParallelism()): string | undefined {
  if (cpus < 2) return `not running at real-time priority: this process may use only ${cpus} CPU, and there a real-time thread spins in the garbage collector waiting for helper threads that never get the CPU; give it two CPUs or more, or ask for a nice value (--priority -10); running at ${describeScheduling(pid) ?? 'the priority it has'}`;
  const result = run('chrt', ['--fifo', '--all-tasks', '--pid', String(REALTIME_PRIORITY), String(pid)]);
  if (result.error) return `could not run at real-time priority: chrt did not start (${(result.error as NodeJS.ErrnoException).code ?? result.error.message}); it comes with util-linux; running at ${describeScheduling(pid) ?? 'the priority it has'}`;
  if (result.status !== 0) return `could not run at real-time priority (chrt: ${result.stderr.trim().split('\n')[0]!.replace(/^chrt: /, '')}); it needs root, or chrt with CAP_SYS_NICE; running at ${describeScheduling(pid) ?? 'the priority it has'}`;
  return undefined;
}

/** Applies `--priority`: a nice value or real-time. Undefined when done, else the warning to print. */
export function applyPriority(request: PriorityRequest): string | undefined {
  return request === 'realtime' ? setRealtimePriority() : setProcessPriority(request);
}

/**
 * How a /proc/<pid>/stat line says its main thread is scheduled: `SCHED_FIFO 10` or `SCHED_RR 10`
 * for a real-time policy, else `nice <n>` (fields 19, 40 and 41 of proc(5)).
 */
export function schedulingOfStat(stat: string): string | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [nice, rtPriority, policy] = [fields[16], fields[37], fields[38]].map(Number);
  if (!Number.isInteger(nice) || !Number.isInteger(policy)) return undefined;
  if (policy === 1 || policy === 2) return `${policy === 1 ? 'SCHED_FIFO' : 'SCHED_RR'} ${rtPriority}`;
  return `nice ${nice}`;
}

/** How process `pid` is scheduled now (see schedulingOfStat); undefined when /proc cannot say. */
export function describeScheduling(pid: number = process.pid): string | undefined {
  try {
    return schedulingOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** `--priority`'s value: `realtime`, or an integer from -20 to 19; undefined for anything else. */
export function parsePriority(value: string): PriorityRequest | undefined {
  if (value === 'realtime') return 'realtime';
  return /^-?\d+$/.test(value) && Number(value) >= -20 && Number(value) <= 19 ? Number(value) : undefined;
}
