import { readFileSync } from 'node:fs';

/** CPU time and memory of one process, read from /proc (Linux). */
export interface ProcessUsage {
  /** User + system CPU time since the process started, in seconds. */
  cpuSeconds: number;
  /** Resident set size now (VmRSS). */
  rssBytes: number;
  /** Peak resident set size so far (VmHWM). */
  peakRssBytes: number;
}

/** Clock ticks per second of /proc/<pid>/stat times: 100 on every Linux this runs on (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

/**
 * utime and stime from a /proc/<pid>/stat line, in seconds. The command name (field 2) is in
 * parentheses and may hold spaces or parentheses itself, so fields are counted after the last ')'.
 */
export function parseProcStat(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`processUsage: unexpected /proc stat line: ${stat.slice(0, 120)}`);
  return (utime + stime) / CLOCK_TICKS;
}

/** VmRSS and VmHWM from /proc/<pid>/status, in bytes. */
export function parseProcStatus(status: string): { rssBytes: number; peakRssBytes: number } {
  const kib = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`processUsage: no ${name} in /proc status`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/** Reads another process's CPU time and memory; measured from outside, so the measurement costs it nothing. */
export function readProcessUsage(pid: number): ProcessUsage {
  return { cpuSeconds: parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8')), ...parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8')) };
}

/** CPU use between two readings as a share of one core: 1 = one core fully busy. */
export function cpuShare(before: ProcessUsage, after: ProcessUsage, wallSeconds: number): number {
  return wallSeconds > 0 ? (after.cpuSeconds - before.cpuSeconds) / wallSeconds : 0;
}
