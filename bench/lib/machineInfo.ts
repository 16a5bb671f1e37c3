import os from 'node:os';
import { formatCpuProbe, probeCpu, type CpuProbe } from './cpuProbe.js';

/** What a reader needs to judge a benchmark number: when, on what, with which Node. */
export interface MachineInfo {
  /** ISO-8601 UTC timestamp of the run. */
  date: string;
  /** CPUs this process may use (respects CPU affinity, like `nproc`). */
  nproc: number;
  cpuModel: string;
  totalMemoryBytes: number;
  nodeVersion: string;
  platform: string;
  osRelease: string;
  arch: string;
  /** 1, 5 and 15 minute load averages when measured: other work on the machine skews every number. */
  loadAverage: [number, number, number];
  /** The machine's own speed when the run began (see probeCpu); absent in reports made before it existed. */
  cpuProbe?: CpuProbe;
}

export function machineInfo(now: Date = new Date()): MachineInfo {
  return {
    date: now.toISOString(),
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    totalMemoryBytes: os.totalmem(),
    nodeVersion: process.version,
    platform: os.platform(),
    osRelease: os.release(),
    arch: os.arch(),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100) as [number, number, number],
  };
}

/** machineInfo() with the CPU probe taken now (about a second): what a benchmark records as it starts. */
export async function probedMachineInfo(): Promise<MachineInfo> {
  const info = machineInfo();
  return { ...info, cpuProbe: await probeCpu() };
}

/** The state of the machine when the run began, for a report header: load average, and the CPU probe when taken. */
export function describeStart(info: MachineInfo): string {
  return `load average at start ${info.loadAverage.join(', ')}${info.cpuProbe ? `; ${formatCpuProbe(info.cpuProbe)}` : ''}`;
}

/** One line for a report header, e.g. "2 CPUs (Intel Xeon), 23.5 GiB RAM, Node v20.20.2, linux x64". */
export function describeMachine(info: MachineInfo): string {
  return `${info.nproc} CPUs (${info.cpuModel}), ${formatGiB(info.totalMemoryBytes)} RAM, Node ${info.nodeVersion}, ${info.platform} ${info.arch}`;
}

export function formatGiB(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
