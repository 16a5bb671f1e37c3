import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Restricts process `pid`, every thread it has and every thread it starts later (Linux gives a new
 * thread its creator's mask), to the CPUs of `cpuList` (`0`, `1`, `0-3`), through util-linux's
 * `taskset`: Node cannot set an affinity itself. Setting it on one's own children needs no privilege.
 * Undefined when done, else what went wrong, to print: the process then runs on the CPUs it had.
 */
export function pinToCpus(pid: number, cpuList: string): string | undefined {
  // taskset --all-tasks answers 0 for a PID with no threads to set.
  if (allowedCpus(pid) === undefined) return `could not pin process ${pid} to CPU ${cpuList} (no such process)`;
  const result = spawnSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpuList, String(pid)], { encoding: 'utf8' });
  if (result.error) return `could not pin process ${pid} to CPU ${cpuList}: taskset did not start (${(result.error as NodeJS.ErrnoException).code ?? result.error.message}); it comes with util-linux`;
  if (result.status !== 0) return `could not pin process ${pid} to CPU ${cpuList} (taskset: ${result.stderr.trim().split('\n')[0]!.replace(/^taskset: /, '')})`;
  return undefined;
}

/** The CPUs of a list as /proc and taskset write it: `0-2,5` is [0, 1, 2, 5]. */
export function parseCpuList(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const range = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!range) return [];
    const first = Number(range[1]);
    const last = Number(range[2] ?? range[1]);
    return last < first ? [] : Array.from({ length: last - first + 1 }, (_, i) => first + i);
  });
}

/** The CPUs process `pid` may run on, as numbers (its affinity: a container's cpuset may leave out CPU 0); undefined when /proc cannot say. */
export function usableCpus(pid: number = process.pid): number[] | undefined {
  const list = allowedCpus(pid);
  return list === undefined ? undefined : parseCpuList(list);
}

/** The CPUs process `pid` may run on (`0-1`, `0`), from /proc/<pid>/status; undefined when /proc cannot say. */
export function allowedCpus(pid: number, thread: number = pid): string | undefined {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/task/${thread}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}
