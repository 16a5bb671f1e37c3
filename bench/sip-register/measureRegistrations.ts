import { runSipp } from '../../test/support/sipp.js';
import type { BenchUser } from './sipServers.js';
import { sippDurationSeconds } from './sippTiming.js';

export interface RegistrationRun {
  /** Registrations SIPp was asked for: each is REGISTER → 401, REGISTER with digest → 200. */
  attempted: number;
  successful: number;
  failed: number;
  seconds: number;
  /** Successful authenticated registrations per second (two SIP transactions each). */
  registrationsPerSecond: number;
  sippExitCode: number | null;
}

export interface RegistrationLoad {
  /** The SIPp scenario (test/sipp/register.xml), the same for every server. */
  scenario: string;
  users: BenchUser[];
  calls: number;
  /** Registrations in progress at once: SIPp starts the next as soon as one ends (closed loop). */
  concurrency: number;
}

/** SIPp's -r is a ceiling here, high enough that `concurrency` alone sets the pace. */
const unlimitedRate = 100_000;

/**
 * One SIPp run over UDP against `target`: `calls` registrations of `users` in turn (SIPp's
 * SEQUENTIAL injection file wraps around, so a user registers again with a fresh Call-ID).
 * A run SIPp could not complete is returned as `{ ok: false }` with its output's tail.
 */
export async function measureRegistrations(target: string, load: RegistrationLoad): Promise<{ ok: true; run: RegistrationRun } | { ok: false; reason: string }> {
  const rows = load.users.map((u) => `${u.username};sip.your-provider.com;[authentication username=${u.username} password=${u.password}]`);
  const sipp = await runSipp({ target, scenario: load.scenario, rows, transport: 'UDP', calls: load.calls, rate: unlimitedRate, limit: load.concurrency, timeoutSeconds: 300 });
  const seconds = sippDurationSeconds(sipp.output);
  if (seconds === undefined || seconds === 0 || (sipp.exitCode !== 0 && sipp.exitCode !== 1)) {
    return { ok: false, reason: `SIPp against ${target} did not complete (exit ${sipp.exitCode}):\n${sipp.output.slice(-3000)}` };
  }
  return {
    ok: true,
    run: { attempted: load.calls, successful: sipp.successful, failed: sipp.failed, seconds, registrationsPerSecond: sipp.successful / seconds, sippExitCode: sipp.exitCode },
  };
}
