import { testMachine } from '../lib/testMachine.js';
import type { CallsReportInput } from './buildReport.js';
import type { ConcurrentCallsResult } from './measureConcurrentCalls.js';
import type { SetupRateStep } from './measureSetupRate.js';

export const machine = testMachine('2026-11-24T20:00:00.000Z');

export const step = (rate: number, failed = 0, achievedRate = rate): SetupRateStep => ({
  rate,
  calls: rate * 10,
  successful: rate * 10 - failed,
  failed,
  achievedRate,
  emulatorCpu: rate / 400,
  emulatorPeakRssBytes: 200 * 2 ** 20,
});

export const concurrent = (overrides: Partial<ConcurrentCallsResult['window']> = {}): ConcurrentCallsResult => ({
  callsAsked: 200,
  answered: 200,
  failed: 0,
  failures: [],
  setupMs: { count: 200, min: 2, mean: 5, p50: 4, p90: 8, p99: 20, max: 30 },
  window: {
    seconds: 30,
    calls: 200,
    packetsExpected: 300_000,
    packetsLost: 30,
    deviationMs: { count: 299_800, min: 0, mean: 1, p50: 0.8, p90: 2, p99: 4.2, max: 12 },
    jitterMs: { mean: 1.1, max: 2 },
    callerSkippedFrames: 0,
    callerCpu: 0.3,
    callerLoopDelayMs: { p99: 3, max: 9 },
    ...overrides,
  },
  emulator: { cpu: 0.6, rssBytes: 300 * 2 ** 20, peakRssBytes: 320 * 2 ** 20 },
  agentReceived: { packetsReceived: 320_000, packetsLost: 0 },
});

export const input = (overrides: Partial<CallsReportInput> = {}): CallsReportInput => ({
  machine,
  settings: { rates: [50, 100, 200, 300], secondsPerStep: 10, calls: 200, rampRate: 25, seconds: 30, runs: 1, omnisipVersion: '0.1.0', gitCommit: 'abc1234', sippVersion: 'SIPp v3.6.1' },
  steps: [step(50), step(100), step(200), step(300, 12, 250)],
  concurrent: [concurrent()],
  ...overrides,
});
