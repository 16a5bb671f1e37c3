import type { MachineInfo } from '../lib/index.js';
import type { CaseName } from './loadCases.js';
import type { ColdStart } from './measureColdStarts.js';
import type { LoadResult } from './runLoad.js';

/** The targets for omnisip against `prism mock` on the same machine. */
export const targets = {
  /** omnisip requests/s ÷ Prism requests/s, per case (issue 12). */
  throughputRatio: 15,
  /** Prism median cold start ÷ omnisip median cold start (omnisip ready = API answering and PBX answering OPTIONS). */
  coldStartSpeedup: 5,
  /** omnisip p99 latency, per case, strictly below. */
  p99Ms: 5,
} as const;

export interface CaseReport {
  name: CaseName;
  title: string;
  omnisip: LoadResult;
  prism: LoadResult;
  /** Node's own HTTP server with the least work (floorServer.ts), when the run measured it. */
  floor?: LoadResult;
  /** omnisip ÷ Prism requests per second. */
  throughputRatio: number;
}

export interface TargetCheck {
  check: string;
  target: string;
  measured: string;
  pass: boolean;
}

/** How much CPU other processes took during one phase of the run (undefined where it cannot be read). */
export interface Interference {
  phase: string;
  otherCpuPercent: number | undefined;
}

export interface BenchSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  coldStartRepetitions: number;
  omnisipVersion: string;
  gitCommit: string;
  prismVersion: string;
  /** Extra Node flags the omnisip server ran with under load (`--node-flags`); absent for none. */
  serverNodeFlags?: string[];
  /**
   * False when dist/cli/main.js was not the bundle `npm run build` makes (e.g. `tsc -p
   * tsconfig.build.json` ran after it): the cold start then measures the unbundled CLI, about 190 ms
   * slower here. Absent in reports made before the check.
   */
  cliBundled?: boolean;
}

export interface ApiBenchReport {
  benchmark: 'api';
  machine: MachineInfo;
  settings: BenchSettings;
  coldStart: { omnisip: ColdStart; prism: ColdStart; /** Prism ÷ omnisip, medians. */ speedup: number };
  cases: CaseReport[];
  checks: TargetCheck[];
  interference: Interference[];
  /** True when every check passed. */
  pass: boolean;
}

export interface ReportInput {
  machine: MachineInfo;
  settings: BenchSettings;
  coldStart: { omnisip: ColdStart; prism: ColdStart };
  cases: Omit<CaseReport, 'throughputRatio'>[];
  interference: Interference[];
}

const times = (x: number) => `${x.toFixed(1)}×`;

/** Computes the ratios and checks each target; a measurement that is missing counts as a miss. */
export function buildReport(input: ReportInput): ApiBenchReport {
  const speedup = input.coldStart.prism.medianMs / input.coldStart.omnisip.medianMs;
  const cases = input.cases.map((c) => ({ ...c, throughputRatio: c.prism.requestsPerSecond > 0 ? c.omnisip.requestsPerSecond / c.prism.requestsPerSecond : Number.POSITIVE_INFINITY }));
  const checks: TargetCheck[] = [
    {
      check: 'cold start, Prism ÷ omnisip (medians)',
      target: `≥ ${targets.coldStartSpeedup}×`,
      measured: `${times(speedup)} (${input.coldStart.prism.medianMs.toFixed(0)} ms ÷ ${input.coldStart.omnisip.medianMs.toFixed(0)} ms)`,
      pass: speedup >= targets.coldStartSpeedup,
    },
  ];
  for (const c of cases) {
    const p99 = c.omnisip.latency?.p99;
    const failures = c.omnisip.non2xx + c.omnisip.errors + c.omnisip.timeouts;
    checks.push(
      { check: `${c.title}: throughput, omnisip ÷ Prism`, target: `≥ ${targets.throughputRatio}×`, measured: times(c.throughputRatio), pass: c.throughputRatio >= targets.throughputRatio },
      { check: `${c.title}: omnisip p99`, target: `< ${targets.p99Ms} ms`, measured: p99 === undefined ? 'no 2xx answer' : `${p99.toFixed(2)} ms`, pass: p99 !== undefined && p99 < targets.p99Ms },
      // A fast 409 or a dropped connection is not throughput: the numbers above only mean something if this is 0.
      { check: `${c.title}: omnisip non-2xx, errors, timeouts`, target: '0', measured: String(failures), pass: failures === 0 },
    );
  }
  return { benchmark: 'api', machine: input.machine, settings: input.settings, coldStart: { ...input.coldStart, speedup }, cases, checks, interference: input.interference, pass: checks.every((c) => c.pass) };
}
