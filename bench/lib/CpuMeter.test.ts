import { once } from 'node:events';
import os from 'node:os';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CpuMeter } from './CpuMeter.js';
import { startProcess } from './startProcess.js';

/** Busy and total CPU time of the whole machine so far, as CpuMeter reads it. */
function machineTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    total += times.user + times.nice + times.sys + times.irq + times.idle;
  }
  return { busy, total };
}

async function printed(stream: Readable | null, text: string): Promise<void> {
  let seen = '';
  stream!.setEncoding('utf8');
  while (!seen.includes(text)) seen += ((await once(stream!, 'data')) as [string])[0];
}

// The machine is shared with other work, so each test compares two readings over the same window
// instead of expecting absolute numbers.
describe.runIf(process.platform === 'linux')('CpuMeter', () => {
  it('does not count the benchmark process itself as other work', () => {
    const before = machineTimes();
    const meter = new CpuMeter([]);
    const end = Date.now() + 300;
    while (Date.now() < end);
    const other = meter.otherPercent()!;
    const after = machineTimes();
    const busy = (100 * (after.busy - before.busy)) / (after.total - before.total);
    expect(busy - other).toBeGreaterThan(10);
  });

  it('credits a watched server to the benchmark, and a running process it does not watch to other work', async () => {
    const child = startProcess(process.execPath, ['-e', 'console.log("up"); const end = Date.now() + 400; while (Date.now() < end); console.log("done"); for (;;);'], { stdout: 'pipe' });
    await printed(child.stdout, 'up');
    const watched = new CpuMeter([child.pid]);
    const unwatched = new CpuMeter([]);
    await printed(child.stdout, 'done');
    const w = watched.otherPercent()!;
    const u = unwatched.otherPercent()!;
    await child.stop();
    expect(u - w).toBeGreaterThan(10);
  });

  it('keeps counting a watched server as ours after it has exited', async () => {
    const child = startProcess(process.execPath, ['-e', 'console.log("up"); const end = Date.now() + 400; while (Date.now() < end);'], { stdout: 'pipe' });
    await printed(child.stdout, 'up');
    const before = machineTimes();
    const meter = new CpuMeter([child.pid]);
    await child.exited;
    const other = meter.otherPercent()!;
    const after = machineTimes();
    expect((100 * (after.busy - before.busy)) / (after.total - before.total) - other).toBeGreaterThan(10);
  });

  it('counts every server started and reaped during the window as ours, even unwatched', async () => {
    const meter = new CpuMeter([]);
    const before = machineTimes();
    const child = startProcess(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end);']);
    await child.exited;
    const other = meter.otherPercent()!;
    const after = machineTimes();
    const busy = (100 * (after.busy - before.busy)) / (after.total - before.total);
    expect(busy - other).toBeGreaterThan(10);
  });
});
