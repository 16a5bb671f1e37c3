import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { pinToCpus, usableCpus } from './pinToCpus.js';
import { RunQueueMeter, runQueueWaitNs } from './runQueueWait.js';
import { startProcess } from './startProcess.js';

const spin = 'const end = Date.now() + 60_000; console.log("up"); while (Date.now() < end) {}';

describe.skipIf(!existsSync('/proc/self/task'))('RunQueueMeter', () => {
  it('counts a main thread that must share its CPU with another busy one as waiting, and one alone as not', async () => {
    // Two spinning processes on one CPU: each is ready all the time and runs half of it.
    const a = startProcess(process.execPath, ['-e', spin], { stdout: 'pipe' });
    const b = startProcess(process.execPath, ['-e', spin], { stdout: 'pipe' });
    // Asleep on a timer: ready only for a moment a second.
    const idle = startProcess(process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("up")'], { stdout: 'pipe' });
    try {
      await Promise.all([a, b, idle].map((child) => once(child.stdout!, 'data')));
      // All on the first CPU this process may use.
      const cpu = String(usableCpus()![0]);
      for (const child of [a, b, idle]) expect(pinToCpus(child.pid, cpu)).toBeUndefined();
      const meter = new RunQueueMeter([a.pid, b.pid, idle.pid]);
      await new Promise((resolve) => setTimeout(resolve, 600));
      const [waitA, waitB, waitIdle] = meter.stop();
      // Each runs while the other waits: the two waits add up to about the window. More when
      // other work (a test beside this one) shares that CPU too; each is at most the whole window.
      expect(waitA! + waitB!).toBeGreaterThan(0.6);
      expect(waitA!).toBeLessThanOrEqual(1.01);
      expect(waitB!).toBeLessThanOrEqual(1.01);
      expect(waitIdle).toBeLessThan(0.1);
    } finally {
      await Promise.all([a.stop(), b.stop(), idle.stop()]);
    }
  });

  it('is undefined for a process that is not there', () => {
    expect(runQueueWaitNs(2 ** 22 + 1)).toBeUndefined();
    expect(new RunQueueMeter([2 ** 22 + 1]).stop()).toEqual([undefined]);
  });
});
