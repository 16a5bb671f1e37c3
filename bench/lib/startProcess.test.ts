import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startProcess } from './startProcess.js';

const node = process.execPath;

/** Resolves once the child has printed `text`, i.e. once its signal handlers are installed. */
async function printed(stream: NodeJS.ReadableStream | null, text: string): Promise<void> {
  let seen = '';
  stream!.setEncoding('utf8');
  while (!seen.includes(text)) {
    const [chunk] = (await once(stream!, 'data')) as [string];
    seen += chunk;
  }
}

describe('startProcess', () => {
  it('stops a server by PID with SIGTERM', async () => {
    const child = startProcess(node, ['-e', 'setInterval(() => {}, 1000); console.log("up")'], { stdout: 'pipe' });
    await printed(child.stdout, 'up');
    expect(() => process.kill(child.pid, 0)).not.toThrow();
    expect(await child.stop()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(() => process.kill(child.pid, 0)).toThrow();
  });

  it('with group, stops the workers a server forked too, as Kamailio forks them', async () => {
    // The "server" forks a worker that would outlive it, then prints the worker's PID.
    const script = `const w = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'ignore', 'inherit'] }); console.log('worker ' + w.pid); setInterval(() => {}, 1000)`;
    const child = startProcess(node, ['-e', script], { stdout: 'pipe', group: true });
    let seen = '';
    child.stdout!.setEncoding('utf8');
    while (!/worker \d+\n/.test(seen)) seen += ((await once(child.stdout!, 'data')) as [string])[0];
    const worker = Number(/worker (\d+)/.exec(seen)![1]);
    expect(() => process.kill(worker, 0)).not.toThrow();
    await child.stop();
    // Gone, or a zombie its new parent has not reaped yet: either way no longer running.
    const running = (): boolean => {
      try {
        return readFileSync(`/proc/${worker}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
      } catch {
        return false;
      }
    };
    await expect.poll(running).toBe(false);
  });

  it('escalates to SIGKILL when the process ignores SIGTERM', async () => {
    const child = startProcess(node, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000); console.log("up")'], { stdout: 'pipe' });
    await printed(child.stdout, 'up');
    expect(await child.stop({ graceMs: 50 })).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('keeps the end of stderr and the exit status of a process that dies by itself', async () => {
    const child = startProcess(node, ['-e', 'console.error("x".repeat(10000) + "port in use"); process.exit(3)']);
    const exit = await child.exited;
    expect(exit).toEqual({ code: 3, signal: null });
    expect(child.stderrTail()).toMatch(/port in use\n$/);
    expect(child.stderrTail().length).toBeLessThanOrEqual(4096);
    expect(await child.stop()).toBe(exit);
  });

  it('refuses a command that does not exist', () => {
    expect(() => startProcess('/nonexistent/omnisip-bench-binary', [])).toThrow(/could not start/);
  });
});
