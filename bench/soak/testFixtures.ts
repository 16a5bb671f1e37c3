import { testMachine } from '../lib/testMachine.js';
import type { SoakReportInput, SoakSample } from './buildReport.js';
import { faultWindows, generators, type Generator } from './faultSchedule.js';
import type { GeneratorOutcome } from './Outcomes.js';

export const machine = testMachine('2026-12-03T08:00:00.000Z');

const MiB = 2 ** 20;

export const sample = (atSeconds: number, rssMiB: number, stores: Record<string, number> = {}, p99 = 1.5): SoakSample => ({
  atSeconds,
  rssBytes: rssMiB * MiB,
  heapUsedBytes: (rssMiB / 3) * MiB,
  heapTotalBytes: (rssMiB / 2) * MiB,
  externalBytes: 4 * MiB,
  cpu: 0.3,
  loopDelayMs: { p50: 0.2, p99, max: p99 * 2 },
  handles: 40,
  handlesByType: { UDPWrap: 6, Timeout: 34 },
  stores: { 'journal.entries': Math.min(10_000, atSeconds * 100), 'calls.records': 50, 'pbx.absorbers': 600, ...stores },
});

const outcome = (clean: number, cleanFailed: number, during = 0, duringFailed = 0, reasons: string[] = []): GeneratorOutcome => ({
  clean: { attempts: clean, failed: cleanFailed, reasons },
  duringFault: { attempts: during, failed: duringFailed },
});

export function input(overrides: Partial<SoakReportInput> = {}, outcomes: Partial<Record<Generator, GeneratorOutcome>> = {}): SoakReportInput {
  return {
    machine,
    settings: { minutes: 2, sampleSeconds: 10, warmupSeconds: 10, registerRate: 20, registerUsers: 100, callRate: 5, rtpCalls: 10, holdSeconds: 20, handoffEverySeconds: 10, apiRate: 20, omnisipVersion: '0.1.0', gitCommit: 'abc1234', sippVersion: 'SIPp v3.6.1' },
    faults: faultWindows(120),
    outcomes: { ...(Object.fromEntries(generators.map((g) => [g, outcome(100, 0, 20, 2)])) as Record<Generator, GeneratorOutcome>), ...outcomes },
    baseline: sample(0, 80),
    samples: [10, 20, 30, 40, 50, 60].map((t) => sample(t, 100 + t / 10)),
    bounds: { 'journal.entries': 10_000 },
    ...overrides,
  };
}

export { outcome };
