import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { usableCpus } from '../bench/lib/pinToCpus.js';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'dist/cli/main.js');
let child: ChildProcess | undefined;

afterEach(() => {
  if (child?.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  child = undefined;
});

/** Starts `omnisip start` with `args` and resolves with its ready line and everything it printed. */
async function start(args: string[], launcher: string[] = []): Promise<{ ready: string; output: () => string; pid: number }> {
  // A launcher (taskset -c 0) execs node in its own process: the PID is the emulator's.
  const [command, ...launcherArgs] = [...launcher, process.execPath];
  child = spawn(command!, [...launcherArgs, cli, 'start', '--api-port', '0', '--no-sip', '--log-level', 'warn', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  const ready = await new Promise<string>((resolve, reject) => {
    child!.stdout!.on('data', (chunk) => {
      output += chunk;
      const line = /^omnisip ready: .*$/m.exec(output);
      if (line) resolve(line[0]);
    });
    child!.once('exit', (code) => reject(new Error(`omnisip start exited (${code}) before its ready line:\n${output}`)));
  });
  return { ready, output: () => output, pid: child.pid! };
}

/** The nice value of a process's main thread: the 19th field of /proc/<pid>/stat. */
const niceOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
/** Each thread's stat fields after the command name. */
const threadStats = (pid: number) => readdirSync(`/proc/${pid}/task`).map((tid) => readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' '));
const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

describe.runIf(process.platform === 'linux')('omnisip start --priority', () => {
  it('runs the emulator at the priority asked for and says so in its ready line', async () => {
    const { ready, pid } = await start(['--priority', '7']);
    expect(ready).toMatch(/, priority nice 7\)$/);
    expect(niceOf(pid)).toBe(7);
  });

  it('without it, the priority is left alone and not mentioned', async () => {
    const { ready, pid } = await start([]);
    expect(ready).not.toContain('priority');
    expect(niceOf(pid)).toBe(niceOf(process.pid));
  });

  it('refuses a value outside -20..19 with a usage error', async () => {
    await expect(start(['--priority', '-40'])).rejects.toThrow(/--priority must be realtime or an integer from -20 to 19, got '-40'/);
  });

  it('with realtime, runs every thread under SCHED_FIFO 10, or says why it cannot and runs on', async () => {
    const { ready, pid, output } = await start(['--priority', 'realtime']);
    const threads = threadStats(pid);
    if (availableParallelism() < 2) {
      expect(output()).toMatch(/not running at real-time priority: this process may use only 1 CPU/);
    } else if (process.getuid?.() === 0) {
      expect(ready).toMatch(/, priority SCHED_FIFO 10\)$/);
      // Every thread, those Node started before the option was read too: policy 1 (SCHED_FIFO) at priority 10.
      expect(threads.length).toBeGreaterThan(1);
      for (const fields of threads) expect([fields[38], fields[37]]).toEqual(['1', '10']);
    } else {
      expect(output()).toMatch(/could not run at real-time priority/);
      expect(ready).toMatch(/, priority nice \d+\)$/);
    }
  });

  it.runIf(hasTaskset)('with realtime on a single CPU, refuses and says why: its garbage collector would spin there', async () => {
    // The first CPU this process may use: a container's cpuset may leave out CPU 0.
    const { ready, pid, output } = await start(['--priority', 'realtime'], ['taskset', '--cpu-list', String(usableCpus()![0])]);
    expect(output()).toContain('not running at real-time priority: this process may use only 1 CPU, and there a real-time thread spins in the garbage collector');
    expect(output()).toContain('give it two CPUs or more, or ask for a nice value (--priority -10)');
    expect(ready).toMatch(/, priority nice -?\d+\)$/);
    // Policy 0 (SCHED_OTHER) on every thread.
    for (const fields of threadStats(pid)) expect(fields[38]).toBe('0');
  });
});
