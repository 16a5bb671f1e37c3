import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { describeMachine, describeStart, formatGiB, machineInfo } from './machineInfo.js';

describe('machineInfo', () => {
  it('reports the run date, CPUs, memory and Node version of this machine', () => {
    const info = machineInfo(new Date('2026-01-02T03:04:05.000Z'));
    expect(info.date).toBe('2026-01-02T03:04:05.000Z');
    expect(info.nproc).toBe(os.availableParallelism());
    expect(info.totalMemoryBytes).toBe(os.totalmem());
    expect(info.nodeVersion).toBe(process.version);
    expect(info.cpuModel.length).toBeGreaterThan(0);
    expect(info.loadAverage).toHaveLength(3);
  });

  it('describes the machine in one line a README can quote', () => {
    const line = describeMachine({ date: '', nproc: 2, cpuModel: 'Xeon', totalMemoryBytes: 24 * 2 ** 30, nodeVersion: 'v20.1.0', platform: 'linux', osRelease: '6', arch: 'x64', loadAverage: [0, 0, 0] });
    expect(line).toBe('2 CPUs (Xeon), 24.0 GiB RAM, Node v20.1.0, linux x64');
    expect(formatGiB(1.5 * 2 ** 30)).toBe('1.5 GiB');
  });

  it('says how loaded and how fast the machine was when the run began', () => {
    const info = { date: '', nproc: 2, cpuModel: 'Xeon', totalMemoryBytes: 0, nodeVersion: 'v20.1.0', platform: 'linux', osRelease: '6', arch: 'x64', loadAverage: [1.5, 1, 0.25] as [number, number, number] };
    expect(describeStart(info)).toBe('load average at start 1.5, 1, 0.25');
    expect(describeStart({ ...info, cpuProbe: { medianMs: 21, minMs: 20, maxMs: 34, samples: 7 } })).toBe('load average at start 1.5, 1, 0.25; CPU probe 21 ms (20–34 over 7 tries of the same loop; higher is a slower machine)');
  });
});
