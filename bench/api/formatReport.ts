import { describeMachine, describeStart, longSlices } from '../lib/index.js';
import type { ApiBenchReport } from './buildReport.js';
import type { LoadResult } from './runLoad.js';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(2)} ms`);
const ratio = (n: number) => `${n.toFixed(1)}×`;
const failures = (r: LoadResult) => r.non2xx + r.errors + r.timeouts;
/** omnisip's requests/s as a share of the bare-Node floor's in the same case, e.g. `71%`. */
const ofFloor = (omnisip: LoadResult, floor: LoadResult | undefined) => (floor && floor.requestsPerSecond > 0 ? `${Math.round((100 * omnisip.requestsPerSecond) / floor.requestsPerSecond)}%` : 'n/a');
const hasFloor = (report: ApiBenchReport) => report.cases.some((c) => c.floor !== undefined);
const FLOOR_NOTE = "floor: Node's own HTTP server with the least work that answers the same requests (bench/api/floorServer.ts: parse, store, answer; no validation, faults, journal or events), under the same load in the same run: what Node and this machine cannot go below";
/** Above this share of the CPUs taken by other processes, the run says its numbers are skewed. */
export const interferenceWarningPercent = 5;
const worstInterference = (report: ApiBenchReport) => Math.max(0, ...report.interference.map((i) => i.otherCpuPercent ?? 0));
const percent = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(1)}%`);
const core = (n: number | undefined) => (n === undefined ? 'n/a' : `${Math.round(n)}%`);

/** Each server's and the load generator's CPU per case, or nothing when the run did not measure it. */
function cpuShares(report: ApiBenchReport): string | undefined {
  const parts = report.cases.flatMap((c) =>
    (['omnisip', 'prism', 'floor'] as const).flatMap((name) => {
      const cpu = c[name]?.cpu;
      return cpu ? [`${name} ${c.title}: server ${core(cpu.serverPercent)}, autocannon ${core(cpu.generatorPercent)}`] : [];
    }),
  );
  return parts.length ? `CPU during each case (warm-up included), % of one core: ${parts.join('; ')}` : undefined;
}

/**
 * The threads outside the benchmark that held a CPU for 1 ms or more at a time during each omnisip
 * case: each such slice stalls the requests in flight, which is the p99. Undefined when none did.
 */
function longSliceThreads(report: ApiBenchReport): string | undefined {
  const parts = report.cases.flatMap((c) => {
    const slow = longSlices(c.omnisip.otherTasks);
    return slow.length ? [`${c.title}: ${slow.join(', ')}`] : [];
  });
  return parts.length ? `threads outside the benchmark (kernel threads too) that held a CPU 1 ms or more at a time while omnisip was measured, each stalling the requests in flight as long: ${parts.join('; ')}` : undefined;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ')).join('\n');
}

/** The console report: results table, cold starts, then one PASS/MISS line per target. */
export function formatText(report: ApiBenchReport): string {
  const { settings: s, coldStart } = report;
  const shares = cpuShares(report);
  const slow = longSliceThreads(report);
  const rows = [
    ['case', 'omnisip req/s', 'prism req/s', 'omnisip÷prism', 'omnisip p99', 'prism p99', 'non-2xx/errors omnisip', 'prism', ...(hasFloor(report) ? ['floor req/s', 'floor p99', 'omnisip÷floor'] : [])],
    ...report.cases.map((c) => [
      c.title,
      int(c.omnisip.requestsPerSecond),
      int(c.prism.requestsPerSecond),
      ratio(c.throughputRatio),
      ms(c.omnisip.latency?.p99),
      ms(c.prism.latency?.p99),
      String(failures(c.omnisip)),
      String(failures(c.prism)),
      ...(hasFloor(report) ? [c.floor ? int(c.floor.requestsPerSecond) : 'n/a', ms(c.floor?.latency?.p99), ofFloor(c.omnisip, c.floor)] : []),
    ]),
  ];
  const cold = table([
    ['cold start (spawn → API 2xx; omnisip: and PBX answering OPTIONS)', 'omnisip', 'prism', 'prism÷omnisip'],
    [`median of ${s.coldStartRepetitions}`, `${coldStart.omnisip.medianMs.toFixed(0)} ms`, `${coldStart.prism.medianMs.toFixed(0)} ms`, ratio(coldStart.speedup)],
  ]);
  return [
    `omnisip API benchmark, ${report.machine.date}`,
    `machine: ${describeMachine(report.machine)} (nproc ${report.machine.nproc}); ${describeStart(report.machine)}`,
    `omnisip ${s.omnisipVersion} (${s.gitCommit}) vs @stoplight/prism-cli ${s.prismVersion} mock, same openapi.yaml`,
    `load: autocannon in the benchmark's process, ${s.connections} connections, ${s.warmupSeconds} s warm-up + ${s.durationSeconds} s per case; each server a separate process${s.serverNodeFlags ? `; omnisip under load with ${s.serverNodeFlags.join(' ')}` : ''}`,
    '',
    table(rows),
    ...(hasFloor(report) ? [FLOOR_NOTE] : []),
    '',
    cold,
    '',
    `CPU taken by other processes: ${report.interference.map((i) => `${i.phase} ${percent(i.otherCpuPercent)}`).join(', ')}`,
    ...(shares !== undefined ? [shares] : []),
    ...(slow !== undefined ? [`warning: ${slow}`] : []),
    ...(s.cliBundled === false ? [`warning: dist/cli/main.js is not the bundle 'npm run build' makes (was tsc run after it?); the cold start measured the unbundled CLI, which starts slower: run 'npm run bench:api', which builds first`] : []),
    ...(worstInterference(report) > interferenceWarningPercent
      ? [`warning: other processes took up to ${percent(worstInterference(report))} of the CPUs during the run; both servers share the machine with them, so these numbers are lower and noisier than on an idle machine`]
      : []),
    '',
    ...report.checks.map((c) => `${c.pass ? 'PASS' : 'MISS'}  ${c.check}: ${c.measured} (target ${c.target})`),
    '',
    report.pass ? 'All targets met.' : 'Some targets missed (MISS above).',
  ].join('\n');
}

/** This run's table for docs/performance.md, with the date, machine and command to reproduce it. */
export function formatMarkdown(report: ApiBenchReport): string {
  const { settings: s, coldStart } = report;
  const shares = cpuShares(report);
  const slow = longSliceThreads(report);
  const lines = [
    `### REST API vs \`prism mock\` (${report.machine.date.slice(0, 10)})`,
    '',
    `Measured ${report.machine.date} on ${describeMachine(report.machine)}; other processes took at most ${percent(worstInterference(report))} of the CPUs during any phase; omnisip ${s.gitCommit}, Prism ${s.prismVersion}.`,
    `autocannon with ${s.connections} connections, ${s.warmupSeconds} s warm-up then ${s.durationSeconds} s per case; cold start is the median of ${s.coldStartRepetitions}${s.serverNodeFlags ? `; omnisip under load with \`${s.serverNodeFlags.join(' ')}\`` : ''}.`,
    `Reproduce with \`npm run bench:api${s.serverNodeFlags ? ` -- --node-flags "${s.serverNodeFlags.join(' ')}"` : ''}\`.`,
    '',
    '| Case | omnisip req/s | Prism req/s | omnisip ÷ Prism | omnisip p99 | Prism p99 |',
    '|---|---:|---:|---:|---:|---:|',
    ...report.cases.map((c) => `| ${c.title} | ${int(c.omnisip.requestsPerSecond)} | ${int(c.prism.requestsPerSecond)} | ${ratio(c.throughputRatio)} | ${ms(c.omnisip.latency?.p99)} | ${ms(c.prism.latency?.p99)} |`),
    '',
    ...(hasFloor(report)
      ? [`Bare-Node floor in the same run (${FLOOR_NOTE.slice('floor: '.length)}): ${report.cases.map((c) => `${c.title} ${c.floor ? int(c.floor.requestsPerSecond) : 'n/a'} req/s, p99 ${ms(c.floor?.latency?.p99)}, omnisip at ${ofFloor(c.omnisip, c.floor)} of it`).join('; ')}.`, '']
      : []),
    '| Cold start (spawn → API answering; omnisip: and its PBX answering OPTIONS) | omnisip | Prism | Prism ÷ omnisip |',
    '|---|---:|---:|---:|',
    `| median of ${s.coldStartRepetitions} | ${coldStart.omnisip.medianMs.toFixed(0)} ms | ${coldStart.prism.medianMs.toFixed(0)} ms | ${ratio(coldStart.speedup)} |`,
    '',
    ...(shares !== undefined ? [`${shares}.`, ''] : []),
    ...(slow !== undefined ? [`${slow[0]!.toUpperCase()}${slow.slice(1)}.`, ''] : []),
    ...report.checks.map((c) => `- ${c.pass ? 'PASS' : 'MISS'} ${c.check}: ${c.measured} (target ${c.target})`),
  ];
  return lines.join('\n');
}
