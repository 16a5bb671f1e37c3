import type { PriorityRequest } from '../../cli/processPriority.js';
import type { MachineInfo } from '../lib/index.js';
import type { ConcurrentCallsResult } from './measureConcurrentCalls.js';
import type { UdpFloorResult } from './measureUdpFloor.js';
import { highestPassingRate, type SetupRateStep } from './measureSetupRate.js';

/** The targets for calls through the built-in PBX to one listener. */
export const targets = {
  /** Highest SIPp call rate (INVITE/200/ACK/BYE) with no failed call. */
  setupRatePerSecond: 200,
  /** Concurrent calls with RTP both ways. */
  concurrentCalls: 200,
  /** Audio packets lost on the agent → caller path, percent, strictly below. */
  lossPercent: 0.1,
  /** p99 of the inter-arrival deviation |D(i-1, i)| at the callers, strictly below. */
  jitterP99Ms: 5,
} as const;

export interface TargetCheck {
  check: string;
  target: string;
  measured: string;
  pass: boolean;
}

export interface CallsBenchSettings {
  rates: number[];
  secondsPerStep: number;
  calls: number;
  rampRate: number;
  seconds: number;
  /** Concurrent-call runs, each with a fresh emulator and callers. */
  runs: number;
  /** The scheduling priority asked for with --priority (omnisip start --priority, and the callers'). */
  priority?: PriorityRequest;
  /** With --pin: the CPU of each concurrent-call run's emulator and the CPU of its callers. */
  pin?: { emulator: number; callers: number };
  /** With --wire: each run's RTP was also captured on lo, and its jitter measured there. */
  wire?: boolean;
  omnisipVersion: string;
  gitCommit: string;
  sippVersion: string;
}

export interface CallsBenchReport {
  benchmark: 'calls';
  machine: MachineInfo;
  settings: CallsBenchSettings;
  /** Empty when the setup-rate part was skipped (--concurrent-only). */
  setupRate: { steps: SetupRateStep[]; highestPassingRate: number };
  /** The concurrent-call run with the highest jitter p99 (the one the checks hold against the targets). */
  concurrent: ConcurrentCallsResult;
  /** Every concurrent-call run, in the order they ran. */
  concurrentRuns: ConcurrentCallsResult[];
  /** The bare-Node floor for the same packets on this machine, in this run (undefined with --floor 0). */
  floor?: UdpFloorResult;
  /** With --profile: where the emulator's CPU time went, per part, heaviest functions first. */
  profiles?: Array<{ part: string; file: string; top: Array<{ function: string; location: string; selfPercent: number }> }>;
  checks: TargetCheck[];
  /** True when every check passed. */
  pass: boolean;
}

export interface CallsReportInput {
  machine: MachineInfo;
  settings: CallsBenchSettings;
  steps: SetupRateStep[];
  /** One result per run, at least one. */
  concurrent: ConcurrentCallsResult[];
  floor?: UdpFloorResult;
  profiles?: CallsBenchReport['profiles'];
}

/** The run with the highest jitter p99 (no audio counts as the worst), or the first. */
export function worstRun(runs: readonly ConcurrentCallsResult[]): ConcurrentCallsResult {
  const p99 = (run: ConcurrentCallsResult) => run.window.deviationMs?.p99 ?? Infinity;
  return runs.reduce((worst, run) => (p99(run) > p99(worst) ? run : worst));
}

/** Loss on the agent → caller path over the window, in percent; 100 when nothing was expected (no audio at all). */
export function lossPercent(window: { packetsExpected: number; packetsLost: number }): number {
  return window.packetsExpected > 0 ? (100 * window.packetsLost) / window.packetsExpected : 100;
}

/**
 * Checks each target; a measurement that is missing counts as a miss. With several concurrent-call
 * runs, each target must hold on every run: the fewest answered, the highest loss and the highest
 * jitter p99 are checked, and the jitter line lists every run's p99.
 */
export function buildReport(input: CallsReportInput): CallsBenchReport {
  if (input.concurrent.length === 0) throw new RangeError('buildReport: no concurrent-call run');
  const best = highestPassingRate(input.steps);
  const runs = input.concurrent;
  const c = worstRun(runs);
  const fewest = runs.reduce((a, b) => (b.answered - b.failed < a.answered - a.failed ? b : a));
  const lossiest = runs.reduce((a, b) => (lossPercent(b.window) > lossPercent(a.window) ? b : a));
  const loss = lossPercent(lossiest.window);
  const p99 = c.window.deviationMs?.p99;
  const each = runs.length > 1 ? ` (worst of ${runs.length} runs: ${runs.map((r) => r.window.deviationMs?.p99.toFixed(2) ?? 'n/a').join(', ')} ms)` : '';
  const checks: TargetCheck[] = [
    ...(input.steps.length > 0
      ? [{ check: 'call setup rate, SIPp through the PBX, 0 failed calls', target: `≥ ${targets.setupRatePerSecond} calls/s`, measured: `${best} calls/s`, pass: best >= targets.setupRatePerSecond }]
      : []),
    { check: 'concurrent calls answered', target: `${targets.concurrentCalls}, none failed`, measured: `${fewest.answered} of ${fewest.callsAsked}, ${fewest.failed} failed`, pass: runs.every((r) => r.answered >= targets.concurrentCalls && r.failed === 0) },
    { check: 'audio loss, agent → callers', target: `< ${targets.lossPercent}%`, measured: `${loss.toFixed(3)}% (${lossiest.window.packetsLost} of ${lossiest.window.packetsExpected})`, pass: loss < targets.lossPercent },
    { check: 'inter-arrival jitter p99 at the callers', target: `< ${targets.jitterP99Ms} ms`, measured: p99 === undefined ? 'no audio received' : `${p99.toFixed(2)} ms${each}`, pass: p99 !== undefined && p99 < targets.jitterP99Ms },
  ];
  return {
    benchmark: 'calls',
    machine: input.machine,
    settings: input.settings,
    setupRate: { steps: input.steps, highestPassingRate: best },
    concurrent: c,
    concurrentRuns: runs,
    ...(input.floor && { floor: input.floor }),
    ...(input.profiles && { profiles: input.profiles }),
    checks,
    pass: checks.every((check) => check.pass),
  };
}
