import type { MachineInfo } from '../lib/index.js';
import { callGenerators, generators, type FaultWindow, type Generator } from './faultSchedule.js';
import { growthPercent, heapSpaceGrowth, judgeStore, type SpaceGrowth, type StoreVerdict } from './growth.js';
import type { GeneratorOutcome } from './Outcomes.js';

/** The targets for the soak. */
export const targets = {
  /** Calls placed while no fault affecting them was active that did not complete. */
  failedCleanCalls: 0,
  /** RSS, mean of the last third of the samples over the mean of the first third, percent, strictly below. */
  rssGrowthPercent: 10,
  /** Event-loop delay p99 of the worst sampling window, ms, strictly below. */
  loopDelayP99Ms: 10,
} as const;

/** One reading of the emulator process, each sampling interval. */
export interface SoakSample {
  /** Seconds after the load started. */
  atSeconds: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** What V8 holds and uses per heap space (new_space, old_space, code_space, ...), bytes; absent from an older emulator. */
  heapSpaces?: Record<string, { size: number; used: number }>;
  /** Emulator CPU since the previous sample, as a share of one core. */
  cpu: number;
  /** Over the window since the previous sample, ms (null when the emulator could not say). */
  loopDelayMs: { p50: number; p99: number; max: number } | null;
  handles: number;
  handlesByType: Record<string, number>;
  /** Every store's size, by name (`journal.entries`, `calls.records`, `pbx.absorbers`, ...). */
  stores: Record<string, number>;
}

export interface SoakSettings {
  minutes: number;
  sampleSeconds: number;
  /** Samples before this (seconds after the load started) are shown but left out of growth and store verdicts. */
  warmupSeconds: number;
  registerRate: number;
  registerUsers: number;
  callRate: number;
  rtpCalls: number;
  holdSeconds: number;
  handoffEverySeconds: number;
  apiRate: number;
  omnisipVersion: string;
  gitCommit: string;
  sippVersion: string;
}

export interface TargetCheck {
  check: string;
  target: string;
  measured: string;
  pass: boolean;
}

export interface SoakReport extends Omit<SoakReportInput, 'bounds'> {
  benchmark: 'soak';
  growthPercent: { rss: number | undefined; heapUsed: number | undefined; handles: number | undefined };
  /** The V8 heap spaces whose held size changed, first third vs last. */
  heapSpaces: SpaceGrowth[];
  stores: StoreVerdict[];
  checks: TargetCheck[];
  pass: boolean;
}

export interface SoakReportInput {
  machine: MachineInfo;
  settings: SoakSettings;
  faults: FaultWindow[];
  outcomes: Record<Generator, GeneratorOutcome>;
  /** The first reading, when the load started (not in the growth figures, nor are the samples of the warm-up). */
  baseline: SoakSample;
  samples: SoakSample[];
  /** Limits some stores have by construction (the journal's capacity and byte budget), by store name. */
  bounds: Record<string, number>;
}

const fixed = (n: number | undefined, digits = 1) => (n === undefined ? 'n/a' : n.toFixed(digits));

/** The stores to judge: every store the emulator reported, and its open handles. */
function storeSeries(samples: SoakSample[], bounds: Record<string, number>) {
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.stores)))].sort();
  return [
    ...names.map((name) => ({ name, values: samples.map((s) => s.stores[name] ?? 0), ...(bounds[name] !== undefined && { bound: bounds[name] }) })),
    { name: 'handles (open)', values: samples.map((s) => s.handles) },
  ];
}

/** Checks each target; a measurement that is missing counts as a miss. */
export function buildReport(input: SoakReportInput): SoakReport {
  const { outcomes } = input;
  // The SIP timers (Timer J, L, M: 32 s) fill the transaction stores for their first half minute: that is not growth.
  const samples = input.samples.filter((s) => s.atSeconds >= input.settings.warmupSeconds);
  const growth = {
    rss: growthPercent(samples.map((s) => s.rssBytes)),
    heapUsed: growthPercent(samples.map((s) => s.heapUsedBytes)),
    handles: growthPercent(samples.map((s) => s.handles)),
  };
  const stores = storeSeries(samples, input.bounds).map(judgeStore);
  const sum = (list: readonly Generator[], pick: (o: GeneratorOutcome) => number) => list.reduce((total, g) => total + pick(outcomes[g]), 0);
  const cleanCalls = sum(callGenerators, (o) => o.clean.attempts);
  const cleanCallFailures = sum(callGenerators, (o) => o.clean.failed);
  const others = generators.filter((g) => !callGenerators.includes(g));
  const otherFailures = sum(others, (o) => o.clean.failed);
  // Each sample's loop delay covers the time since the one before: only windows that began after the warm-up (start-up, JIT, stores filling) count.
  const loopP99s = input.samples.flatMap((s, i) => ((i === 0 ? 0 : input.samples[i - 1]!.atSeconds) >= input.settings.warmupSeconds && s.loopDelayMs ? [s.loopDelayMs.p99] : []));
  const worstP99 = loopP99s.length ? Math.max(...loopP99s) : undefined;
  const unbounded = stores.filter((s) => !s.bounded);
  const checks: TargetCheck[] = [
    { check: 'failed calls that should have succeeded (placed with no fault affecting them)', target: `${targets.failedCleanCalls}`, measured: `${cleanCallFailures} of ${cleanCalls}`, pass: cleanCalls > 0 && cleanCallFailures === targets.failedCleanCalls },
    { check: 'failed registrations and API requests with no fault affecting them', target: '0', measured: `${otherFailures} of ${sum(others, (o) => o.clean.attempts)}`, pass: otherFailures === 0 },
    { check: 'RSS growth, last third of the samples vs the first', target: `< ${targets.rssGrowthPercent}%`, measured: growth.rss === undefined ? 'fewer than 2 samples' : `${fixed(growth.rss)}%`, pass: growth.rss !== undefined && growth.rss < targets.rssGrowthPercent },
    { check: 'event-loop delay p99, worst sampling window after the warm-up', target: `< ${targets.loopDelayP99Ms} ms`, measured: worstP99 === undefined ? 'not measured' : `${worstP99.toFixed(2)} ms`, pass: worstP99 !== undefined && worstP99 < targets.loopDelayP99Ms },
    { check: 'journal and every per-call store bounded', target: 'each within its bound or levelled off', measured: unbounded.length ? `still growing: ${unbounded.map((s) => s.name).join(', ')}` : `all ${stores.length} bounded`, pass: samples.length >= 2 && unbounded.length === 0 },
  ];
  return {
    benchmark: 'soak',
    machine: input.machine,
    settings: input.settings,
    faults: input.faults,
    outcomes,
    baseline: input.baseline,
    samples: input.samples,
    growthPercent: growth,
    heapSpaces: heapSpaceGrowth(samples),
    stores,
    checks,
    pass: checks.every((c) => c.pass),
  };
}
