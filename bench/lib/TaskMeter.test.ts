import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startProcess } from './startProcess.js';
import { describeOtherTasks, isKernelThreadStat, longSlices, otherTasksBetween, parseSchedstat, sampleTasks, TaskMeter, type TaskSample } from './TaskMeter.js';

const task = (tid: number, name: string, cpuMs: number, slices: number, kernel = false): TaskSample => ({ pid: tid, tid, name, kernel, cpuNs: cpuMs * 1e6, slices });

describe('TaskMeter', () => {
  it('reads a schedstat line and the kernel-thread flag of a stat line', () => {
    expect(parseSchedstat('4123456789 98765 1024\n')).toEqual({ cpuNs: 4123456789, waitNs: 98765, slices: 1024 });
    expect(parseSchedstat('')).toBeUndefined();
    // kdamond.0's stat line (flags 0x208040) and a node process's (0x400000), command names with spaces and parentheses.
    expect(isKernelThreadStat('83 (kdamond.0) S 2 0 0 0 -1 2129984 0 0 0 0 0 1523 0 0 20 0 1 0 12 0 0')).toBe(true);
    expect(isKernelThreadStat('3959 (node (callers) x) S 3950 3950 1 0 -1 4194560 2000 0 0 0 2200 700 0 0 20 0 11 0')).toBe(false);
  });

  it('says which other threads ran over the window, most CPU first, and how long each held a CPU at a time', () => {
    const start = [task(83, 'kdamond.0', 1000, 100, true), task(81, 'tokio-rt-worker', 500, 400), task(7, 'idle-daemon', 10, 5)];
    // 30 s later: kdamond ran 59 more times for 4 ms each, the worker 180 times for 0.5 ms, the daemon barely; a new thread appeared.
    const end = [task(83, 'kdamond.0', 1236, 159, true), task(81, 'tokio-rt-worker', 590, 580), task(7, 'idle-daemon', 11, 6), task(90, 'new', 60, 30)];
    const tasks = otherTasksBetween(start, end, 30_000);
    expect(tasks.map((t) => t.name)).toEqual(['kdamond.0', 'tokio-rt-worker', 'new']);
    expect(tasks[0]!.cpuPercent).toBeCloseTo(0.787, 2);
    expect(tasks[0]!.meanSliceMs).toBeCloseTo(4, 5);
    expect(tasks[0]!.kernel).toBe(true);
    expect(tasks[1]!.meanSliceMs).toBeCloseTo(0.5, 5);
    expect(tasks[2]!.meanSliceMs).toBeCloseTo(2, 5);
    expect(describeOtherTasks(tasks)).toBe('kdamond.0 (kernel thread) 0.8% of a CPU, 4.00 ms a slice; tokio-rt-worker 0.3%, 0.50 ms a slice; new 0.2%, 2.00 ms a slice');
    // Those that can hold up a packet by a millisecond or more: the worker's half-millisecond slices cannot.
    expect(longSlices(tasks)).toEqual(['kdamond.0 4.0 ms', 'new 2.0 ms']);
    expect(longSlices(tasks, 3)).toEqual(['kdamond.0 4.0 ms']);
    expect(longSlices(undefined)).toEqual([]);
    expect(describeOtherTasks([])).toBe('none used 0.1% of a CPU or more');
    expect(describeOtherTasks(undefined)).toBe('n/a (no /proc)');
  });

  it.runIf(existsSync('/proc/self/task'))('finds a process that runs in bursts, with its slices, and leaves out ours and every process they started', async () => {
    // 20 bursts of 6 ms of CPU, 30 ms apart, then idle until stopped: a thread that holds a CPU for ms at a time.
    const script = 'let n = 0; const t = setInterval(() => { const end = performance.now() + 6; while (performance.now() < end); if (++n === 20) { clearInterval(t); console.log("done"); setInterval(() => {}, 1000); } }, 30); console.log("up")';
    // Started through a shell that exits at once, so that it is not this process's descendant (which would be ours).
    const shell = startProcess('/bin/sh', ['-c', `"${process.execPath}" -e '${script}' & echo "pid $!"`], { stdout: 'pipe' });
    shell.stdout!.setEncoding('utf8');
    let seen = '';
    const printed = async (pattern: RegExp) => {
      while (!pattern.test(seen)) seen += ((await once(shell.stdout!, 'data')) as [string])[0];
    };
    await printed(/pid \d+\n/);
    const pid = Number(/pid (\d+)/.exec(seen)![1]);
    try {
      await printed(/up\n/);
      const meter = new TaskMeter();
      const ours = new TaskMeter([pid]);
      const started = startProcess(process.execPath, ['-e', script], { stdout: 'pipe' });
      await printed(/done\n/);
      const tasks = meter.stop()!;
      const seenByMeter = tasks.find((t) => t.tid === pid);
      expect(seenByMeter).toMatchObject({ name: 'node', kernel: false });
      // 120 ms of CPU over the window: far above the 0.1% floor, in slices of more than half a ms even when preempted.
      expect(seenByMeter!.cpuPercent).toBeGreaterThan(3);
      expect(seenByMeter!.meanSliceMs).toBeGreaterThan(0.5);
      expect(ours.stop()!.some((t) => t.tid === pid)).toBe(false);
      // A process this one started is ours too, like SIPp or a server's workers.
      expect(tasks.some((t) => t.tid === started.pid)).toBe(false);
      await started.stop();
      // This process is always left out; kthreadd (pid 2), where the kernel's threads come from, is one.
      const now = sampleTasks(new Set())!;
      expect(now.some((t) => t.tid === process.pid && !t.kernel)).toBe(true);
      const kthreadd = now.find((t) => t.pid === 2);
      if (kthreadd) expect(kthreadd.kernel).toBe(true);
    } finally {
      process.kill(pid, 'SIGTERM');
      await shell.exited;
    }
  });
});
