import { once } from 'node:events';
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
