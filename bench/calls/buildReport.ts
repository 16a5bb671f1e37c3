import type { MachineInfo } from '../lib/index.js';
import type { ConcurrentCallsResult } from './measureConcurrentCalls.js';
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
  omnisipVersion: string;
  gitCommit: string;
  sippVersion: string;
}

export interface CallsBenchReport {
  benchmark: 'calls';
  machine: MachineInfo;
  settings: CallsBenchSettings;
  setupRate: { steps: SetupRateStep[]; highestPassingRate: number };
  concurrent: ConcurrentCallsResult;
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
  concurrent: ConcurrentCallsResult;
  profiles?: CallsBenchReport['profiles'];
}

/** Loss on the agent → caller path over the window, in percent; 100 when nothing was expected (no audio at all). */
export function lossPercent(window: { packetsExpected: number; packetsLost: number }): number {
  return window.packetsExpected > 0 ? (100 * window.packetsLost) / window.packetsExpected : 100;
}

/** Checks each target; a measurement that is missing counts as a miss. */
export function buildReport(input: CallsReportInput): CallsBenchReport {
  const best = highestPassingRate(input.steps);
  const { concurrent: c } = input;
  const loss = lossPercent(c.window);
  const p99 = c.window.deviationMs?.p99;
  const checks: TargetCheck[] = [
    { check: 'call setup rate, SIPp through the PBX, 0 failed calls', target: `≥ ${targets.setupRatePerSecond} calls/s`, measured: `${best} calls/s`, pass: best >= targets.setupRatePerSecond },
    { check: 'concurrent calls answered', target: `${targets.concurrentCalls}, none failed`, measured: `${c.answered} of ${c.callsAsked}, ${c.failed} failed`, pass: c.answered >= targets.concurrentCalls && c.failed === 0 },
    { check: 'audio loss, agent → callers', target: `< ${targets.lossPercent}%`, measured: `${loss.toFixed(3)}% (${c.window.packetsLost} of ${c.window.packetsExpected})`, pass: loss < targets.lossPercent },
    { check: 'inter-arrival jitter p99 at the callers', target: `< ${targets.jitterP99Ms} ms`, measured: p99 === undefined ? 'no audio received' : `${p99.toFixed(2)} ms`, pass: p99 !== undefined && p99 < targets.jitterP99Ms },
  ];
  return {
    benchmark: 'calls',
    machine: input.machine,
    settings: input.settings,
    setupRate: { steps: input.steps, highestPassingRate: best },
    concurrent: input.concurrent,
    ...(input.profiles && { profiles: input.profiles }),
    checks,
    pass: checks.every((check) => check.pass),
  };
}
