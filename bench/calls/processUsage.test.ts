import { describe, expect, it } from 'vitest';
import { cpuShare, parseProcStat, parseProcStatus, readProcessUsage } from './processUsage.js';

describe('processUsage', () => {
  it('reads utime + stime after the command name, even one with spaces and parentheses', () => {
    const fields = ['S', '1', '2', '3', '0', '-1', '4194560', '100', '0', '0', '0', '250', '50', '0', '0', '20', '0', '11'];
    expect(parseProcStat(`1234 (node (worker) 1) ${fields.join(' ')}`)).toBe(3);
  });

  it('reads VmRSS and VmHWM in bytes', () => {
    expect(parseProcStatus('Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n')).toEqual({ rssBytes: 100 * 1024 * 1024, peakRssBytes: 200 * 1024 * 1024 });
    expect(() => parseProcStatus('Name:\tnode\n')).toThrow(/VmRSS/);
  });

  it('measures this process: CPU time grows with work, RSS is within the peak', () => {
    const before = readProcessUsage(process.pid);
    const until = Date.now() + 60;
    while (Date.now() < until) Math.sqrt(Math.random());
    const after = readProcessUsage(process.pid);
    expect(after.cpuSeconds).toBeGreaterThanOrEqual(before.cpuSeconds);
    expect(after.rssBytes).toBeGreaterThan(0);
    expect(after.rssBytes).toBeLessThanOrEqual(after.peakRssBytes);
    expect(cpuShare({ ...before, cpuSeconds: 1 }, { ...after, cpuSeconds: 2.5 }, 3)).toBeCloseTo(0.5);
  });
});
