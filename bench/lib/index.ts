export { CpuMeter, processCpuMs } from './CpuMeter.js';
export { formatCpuProbe, probeCpu, type CpuProbe } from './cpuProbe.js';
export { LatencyRecorder, type LatencySummary } from './LatencyRecorder.js';
export { describeMachine, describeStart, formatGiB, machineInfo, probedMachineInfo, type MachineInfo } from './machineInfo.js';
export { freePort } from './freePort.js';
export { median, percentile, valueAtRank } from './percentile.js';
export { startProcess, type ProcessExit, type StartedProcess, type StartProcessOptions } from './startProcess.js';
export { waitForHttp, type WaitForHttpOptions, type WaitForHttpResult } from './waitForHttp.js';
export { positiveOption } from './positiveOption.js';
