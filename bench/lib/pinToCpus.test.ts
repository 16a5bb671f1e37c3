import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allowedCpus, parseCpuList, pinToCpus, usableCpus } from './pinToCpus.js';
import { startProcess } from './startProcess.js';

const hasProc = existsSync('/proc/self/task');

/** Reads the child's stdout until it has printed `text`. */
async function printed(stream: NodeJS.ReadableStream, text: string): Promise<void> {
  let seen = '';
  stream.setEncoding('utf8');
  while (!seen.includes(text)) seen += ((await once(stream, 'data')) as [string])[0];
}

const threadsOf = (pid: number): number[] => readdirSync(`/proc/${pid}/task`).map(Number);
/** The first CPU this process may use: a container's cpuset may leave out CPU 0. */
const cpu = String(hasProc ? usableCpus()![0] : 0);

describe('parseCpuList', () => {
  it('reads the lists /proc and taskset write', () => {
    expect(parseCpuList('0-1')).toEqual([0, 1]);
    expect(parseCpuList('3')).toEqual([3]);
    expect(parseCpuList('0-2,5,7-8')).toEqual([0, 1, 2, 5, 7, 8]);
    expect(parseCpuList('')).toEqual([]);
  });
});

describe.skipIf(!hasProc)('pinToCpus', () => {
  it('pins every thread of a running process, and the threads it starts afterwards', async () => {
    // On stdin, the child starts a worker thread and says so once the worker runs.
    const script = `process.stdin.once('data', () => { const w = new (require('node:worker_threads').Worker)('setInterval(() => {}, 1000)', { eval: true }); w.once('online', () => console.log('worker')); }); console.log('up')`;
    const child = startProcess(process.execPath, ['-e', script], { stdout: 'pipe', stdin: 'pipe' });
    try {
      await printed(child.stdout!, 'up');
      const before = threadsOf(child.pid);
      expect(before.length).toBeGreaterThan(1);
      expect(pinToCpus(child.pid, cpu)).toBeUndefined();
      expect(before.map((thread) => allowedCpus(child.pid, thread))).toEqual(before.map(() => cpu));

      child.stdin!.write('go\n');
      await printed(child.stdout!, 'worker');
      const after = threadsOf(child.pid);
      expect(after.filter((thread) => !before.includes(thread)).length).toBeGreaterThan(0);
      expect(after.map((thread) => allowedCpus(child.pid, thread))).toEqual(after.map(() => cpu));
    } finally {
      await child.stop();
    }
  });

  it('says why when a CPU cannot be had, and leaves the process where it was', async () => {
    const child = startProcess(process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("up")'], { stdout: 'pipe' });
    try {
      await printed(child.stdout!, 'up');
      const was = allowedCpus(child.pid);
      const warning = pinToCpus(child.pid, '4095');
      expect(warning).toMatch(new RegExp(`^could not pin process ${child.pid} to CPU 4095 \\(.+\\)$`));
      expect(allowedCpus(child.pid)).toBe(was);
    } finally {
      await child.stop();
    }
  });

  it('says when there is no such process', () => {
    expect(allowedCpus(2 ** 22 + 1)).toBeUndefined();
    expect(pinToCpus(2 ** 22 + 1, '0')).toMatch(/^could not pin process 4194305 to CPU 0 \(.+\)$/);
  });
});
