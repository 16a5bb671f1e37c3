import { TaskMeter, type OtherTask } from '../lib/index.js';
import { measureRegistrations, type RegistrationRun } from './measureRegistrations.js';
import { processMemory, type ProcessMemory } from './processMemory.js';
import type { BenchUser, StartSipServerResult } from './sipServers.js';

export interface ServerRound {
  /** Unmeasured (JIT, caches, Kamailio's workers); without a known rate it also sizes the measured run. */
  warmup: RegistrationRun;
  /** Sized to last the duration; resized at most twice when it ended under 80% of it. */
  measured: RegistrationRun;
  /** The server process once measured (Kamailio: its main process only). */
  memory: ProcessMemory | undefined;
  /**
   * Threads outside the benchmark (kernel threads too; not the server, its workers or SIPp) that ran
   * during the measured runs, with how long each held a CPU at a time. Undefined off Linux.
   */
  otherTasks?: OtherTask[];
}

export interface RoundOptions {
  scenario: string;
  users: BenchUser[];
  concurrency: number;
  durationSeconds: number;
  /** Registrations/s of an earlier round, to size the measured run at once. */
  knownRate?: number;
  log: (line: string) => void;
}

/**
 * One round against one server: a fresh process (so no round inherits another's transactions or
 * heap), a warm-up of five registrations per user, then a run of about `durationSeconds`.
 */
export async function measureServerRound(name: string, start: () => Promise<StartSipServerResult>, options: RoundOptions): Promise<{ ok: true; round: ServerRound } | { ok: false; reason: string }> {
  const started = await start();
  if (!started.ok) return started;
  const { server } = started;
  try {
    const target = `127.0.0.1:${server.port}`;
    const load = { scenario: options.scenario, users: options.users, concurrency: options.concurrency };
    const warmup = await measureRegistrations(target, { ...load, calls: 5 * options.users.length });
    if (!warmup.ok) return warmup;
    let run: RegistrationRun | undefined;
    const tasks = new TaskMeter([server.process.pid]);
    // A warm server runs faster than its warm-up did: resize until a run lasts most of the duration.
    for (let rate = options.knownRate ?? warmup.run.registrationsPerSecond, attempt = 0; attempt < 3 && (run === undefined || run.seconds < 0.8 * options.durationSeconds); attempt++) {
      const calls = Math.max(options.users.length, Math.round(rate * options.durationSeconds));
      const measured = await measureRegistrations(target, { ...load, calls });
      if (!measured.ok) return measured;
      run = measured.run;
      rate = run.registrationsPerSecond;
      options.log(`${name.padEnd(8)} ${run.successful} successful, ${run.failed} failed in ${run.seconds.toFixed(2)} s: ${Math.round(run.registrationsPerSecond)} registrations/s`);
    }
    const otherTasks = tasks.stop();
    return { ok: true, round: { warmup: warmup.run, measured: run!, memory: processMemory(server.process.pid), ...(otherTasks && { otherTasks }) } };
  } finally {
    await server.process.stop();
  }
}
