import type { MachineInfo } from './machineInfo.js';

/** A machine for the report tests of every benchmark, measured at `date`. */
export const testMachine = (date: string): MachineInfo => ({
  date,
  nproc: 2,
  cpuModel: 'Test CPU',
  totalMemoryBytes: 8 * 2 ** 30,
  nodeVersion: 'v20.20.2',
  platform: 'linux',
  osRelease: '6.1',
  arch: 'x64',
  loadAverage: [0.2, 0.3, 0.4],
});
