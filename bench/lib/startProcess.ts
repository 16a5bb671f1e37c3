import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** 'ignore' (default) sends stdout to /dev/null so a chatty server costs the benchmark nothing. */
  stdout?: 'ignore' | 'pipe';
  /** 'pipe' to write to the process's stdin (a line protocol); otherwise it reads nothing. */
  stdin?: 'ignore' | 'pipe';
  /**
   * The server forks workers (Kamailio): start it as a process group of its own and signal the
   * group (its PID, negated), so stopping it stops every worker. Signalling the main process alone
   * once left two Kamailio workers running, holding the stderr pipe, and the benchmark never exited.
   */
  group?: boolean;
  /** Called with each chunk of stderr as it arrives (a start-up line to wait for); stderrTail() keeps it too. */
  onStderr?: (chunk: string) => void;
}

/** A child process the benchmark owns and stops by PID. */
export interface StartedProcess {
  readonly pid: number;
  /** Piped stdout when `stdout: 'pipe'` was asked for, otherwise null. */
  readonly stdout: Readable | null;
  /** Piped stdin when `stdin: 'pipe'` was asked for, otherwise null. */
  readonly stdin: Writable | null;
  /** Resolves once the process has exited, whoever ended it. */
  readonly exited: Promise<ProcessExit>;
  /** The last few KiB of stderr, to explain an early exit. */
  stderrTail(): string;
  /** SIGTERM to the PID (the group's with `group`), then SIGKILL if it is still alive after `graceMs` (default 5000). */
  stop(options?: { graceMs?: number }): Promise<ProcessExit>;
}

const stderrLimit = 4096;
/** Children still running; killed when the benchmark exits so a failed run leaves no server behind. */
const running = new Map<number, boolean>();
let exitHookInstalled = false;

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    // ESRCH: it exited between our check and the signal, which is what we wanted anyway.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [pid, group] of running) signalPid(group ? -pid : pid, 'SIGKILL');
  });
}

/**
 * Spawns `command` without a shell, so the PID is the server's own and stopping it stops the server.
 *
 * @example
 * const server = startProcess(process.execPath, ['dist/cli/main.js', 'start']);
 * await server.stop();
 */
export function startProcess(command: string, args: readonly string[], options: StartProcessOptions = {}): StartedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'ignore', 'pipe'],
    detached: options.group === true,
  });
  const pid = child.pid;
  let stderr = '';
  // Without a listener, a spawn or signal failure would be an uncaught exception; keep it for stderrTail().
  child.on('error', (error) => {
    stderr = `${stderr}${error.message}\n`.slice(-stderrLimit);
  });
  // spawn reports ENOENT/EACCES asynchronously but leaves pid undefined at once: a wrong path is a setup bug.
  if (pid === undefined) throw new Error(`startProcess: could not start '${command}': check that it exists and is executable`);
  installExitHook();
  const group = options.group === true;
  running.set(pid, group);
  const target = group ? -pid : pid;

  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-stderrLimit);
    options.onStderr?.(chunk);
  });
  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(pid);
      exit = { code, signal };
      // A worker that outlived the main process would keep the pipe, and the benchmark, open.
      if (group) signalPid(-pid, 'SIGKILL');
      child.stderr?.destroy();
      resolve(exit);
    });
  });

  return {
    pid,
    stdout: child.stdout,
    stdin: child.stdin,
    exited,
    stderrTail: () => stderr,
    stop({ graceMs = 5000 } = {}) {
      if (exit) return Promise.resolve(exit);
      signalPid(target, 'SIGTERM');
      const escalate = setTimeout(() => signalPid(target, 'SIGKILL'), graceMs);
      return exited.finally(() => clearTimeout(escalate));
    },
  };
}
