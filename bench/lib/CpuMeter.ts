import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Linux reports process times in clock ticks of USER_HZ, which is 100 on every mainstream kernel. */
const userHz = 100;

interface Sample {
  machineBusyMs: number;
  machineTotalMs: number;
  /** CPU time of this process, its reaped children and the watched processes; undefined off Linux. */
  oursMs: number | undefined;
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number | 'self'): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const ticksToMs = (...ticks: (string | undefined)[]) => (ticks.reduce((sum, t) => sum + Number(t), 0) * 1000) / userHz;

/**
 * CPU time of this process plus its reaped children (cutime, cstime): a server that has exited
 * and been waited for still counts as ours. Linux only.
 */
function selfCpuMs(): number | undefined {
  const f = statFields('self');
  return f && ticksToMs(f[11], f[12], f[13], f[14]);
}

/** utime + stime of a running (or not yet reaped) process, 0 when it cannot be read; once reaped, `selfCpuMs` has it. */
export function processCpuMs(pid: number): number {
  const f = statFields(pid);
  return f ? ticksToMs(f[11], f[12]) : 0;
}

function sample(pids: readonly number[]): Sample {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + idle + irq;
  }
  const self = selfCpuMs();
  const ours = self === undefined ? undefined : pids.reduce((sum, pid) => sum + processCpuMs(pid), self);
  return { machineBusyMs: busy, machineTotalMs: total, oursMs: ours };
}

/**
 * How much of the machine's CPU went to processes other than the benchmark and its servers while
 * a measurement ran: on a shared 2-core machine, a test suite started by someone else halves the
 * server's throughput, and the report should say so rather than hide it.
 *
 * @example
 * const meter = new CpuMeter([server.pid]);
 * await runLoad(...);
 * meter.otherPercent(); // e.g. 3.2, or undefined off Linux
 */
export class CpuMeter {
  private readonly start: Sample;

  constructor(private readonly pids: readonly number[]) {
    this.start = sample(pids);
  }

  /** Percent of all CPUs' time used by other processes since construction; undefined when not measurable. */
  otherPercent(): number | undefined {
    const end = sample(this.pids);
    const total = end.machineTotalMs - this.start.machineTotalMs;
    if (end.oursMs === undefined || this.start.oursMs === undefined || total <= 0) return undefined;
    const other = end.machineBusyMs - this.start.machineBusyMs - (end.oursMs - this.start.oursMs);
    return Math.min(100, Math.max(0, (100 * other) / total));
  }
}
