import { describeMachine, describeStart } from '../lib/index.js';
import type { SoakReport, SoakSample } from './buildReport.js';
import type { SpaceGrowth } from './growth.js';
import { generators } from './faultSchedule.js';

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
const pct = (n: number | undefined) => (n === undefined ? 'n/a' : `${n >= 0 ? '+' : ''}${n.toFixed(1)}%`);
/** `new_space 8.0 → 32.0 MiB, old_space 41.2 → 50.3 MiB`: the spaces that changed, largest change first. */
const describeSpaces = (spaces: SpaceGrowth[]) => spaces.slice(0, 4).map((g) => `${g.space} ${(g.first / 2 ** 20).toFixed(1)} → ${(g.last / 2 ** 20).toFixed(1)} MiB`).join(', ');
const ms = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(2)} ms`);
/** The soak keeps both CPUs of a 2-core machine busy; anything else running skews it. */
const busy = (report: SoakReport) => report.machine.loadAverage[0] > report.machine.nproc / 2;

/** The stores shown in the samples table (all of them are judged, and listed below it). */
const sampleStores = ['journal.entries', 'calls.records', 'calls.captures', 'softphones.recordings', 'pbx.absorbers', 'pbx.serverTransactions', 'listeners.absorbers'];

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ')).join('\n');
}

function sampleRow(s: SoakSample): string[] {
  return [`${Math.round(s.atSeconds)} s`, mib(s.rssBytes), mib(s.heapUsedBytes), `${Math.round(s.cpu * 100)}%`, s.loopDelayMs ? ms(s.loopDelayMs.p99) : 'n/a', String(s.handles), ...sampleStores.map((name) => String(s.stores[name] ?? '-'))];
}

const sampleHeader = ['at', 'RSS', 'heap', 'CPU', 'loop p99', 'handles', ...sampleStores];

/** What the load was: one line per generator, then the fault windows. */
function describeLoad(report: SoakReport): string[] {
  const s = report.settings;
  return [
    `load for ${s.minutes} min, sampled every ${s.sampleSeconds} s (growth from ${s.warmupSeconds} s on): SIPp REGISTER with digest at ${s.registerRate}/s over ${s.registerUsers} users; SIPp calls (INVITE/200/ACK/BYE) at ${s.callRate}/s through the PBX to a listener; ${s.rtpCalls} concurrent calls with G.711 both ways, each held ${s.holdSeconds} s; a handoff (DTMF 0, REFER to softphone 200) every ${s.handoffEverySeconds} s; API requests at ${s.apiRate}/s`,
    `faults: ${report.faults.map((w) => `${w.kind} ${w.onAt}-${w.offAt} s`).join(', ')}`,
  ];
}

/** The console report: load, outcomes, samples, growth, stores, then one PASS/MISS line per target. */
export function formatText(report: SoakReport): string {
  const s = report.settings;
  const outcomes = table([
    ['attempts', 'no fault', 'failed', 'during a fault', 'failed', 'why (no fault)'],
    ...generators.map((g) => {
      const o = report.outcomes[g];
      return [g, String(o.clean.attempts), String(o.clean.failed), String(o.duringFault.attempts), String(o.duringFault.failed), o.clean.reasons.join('; ').slice(0, 100)];
    }),
  ]);
  const stores = table([['store', 'first third', 'last third', 'max', 'bound', 'verdict'], ...report.stores.map((v) => [v.name, v.first.toFixed(0), v.last.toFixed(0), String(v.max), v.bound === undefined ? '-' : String(v.bound), `${v.bounded ? 'ok' : 'GROWING'}: ${v.why}`])]);
  return [
    `omnisip soak, ${report.machine.date}`,
    `machine: ${describeMachine(report.machine)} (nproc ${report.machine.nproc}); ${describeStart(report.machine)}`,
    `omnisip ${s.omnisipVersion} (${s.gitCommit}), ${s.sippVersion}; emulator, SIPp and RTP callers each a separate process`,
    ...(busy(report) ? [`warning: the machine was busy at start (1-minute load average ${report.machine.loadAverage[0]} on ${report.machine.nproc} CPUs): the loop delay and CPU figures are worse than on an idle machine`] : []),
    ...describeLoad(report),
    '',
    outcomes,
    '',
    table([sampleHeader, ['baseline', ...sampleRow(report.baseline).slice(1)], ...report.samples.map(sampleRow)]),
    '',
    `growth, last third of the samples after the warm-up vs the first: RSS ${pct(report.growthPercent.rss)}, heap ${pct(report.growthPercent.heapUsed)}, open handles ${pct(report.growthPercent.handles)}`,
    ...(report.heapSpaces.length ? [`V8 heap held by space, first third → last: ${describeSpaces(report.heapSpaces)}`] : []),
    '',
    stores,
    '',
    ...report.checks.map((check) => `${check.pass ? 'PASS' : 'MISS'}  ${check.check}: ${check.measured} (target ${check.target})`),
    '',
    report.pass ? 'All targets met.' : 'Some targets missed (MISS above).',
  ].join('\n');
}

/** This run's section for docs/performance.md: targets, samples, with the date, machine and command. */
export function formatMarkdown(report: SoakReport): string {
  const { settings: s, machine } = report;
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `### Soak (${machine.date.slice(0, 10)})`,
    '',
    `Measured ${machine.date} on ${describeMachine(machine)} (1-minute load average ${machine.loadAverage[0]} at start); omnisip ${s.gitCommit}, ${s.sippVersion}.`,
    ...describeLoad(report).map((line) => `${line[0]!.toUpperCase()}${line.slice(1)}.`),
    `Reproduce with \`npm run bench:soak -- --minutes ${s.minutes}\`.`,
    '',
    '| Measure | Target | Measured | |',
    '|---|---:|---:|---|',
    ...report.checks.map((c) => row([c.check, c.target, c.measured, c.pass ? 'PASS' : 'MISS'])),
    '',
    row(sampleHeader),
    row(sampleHeader.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...report.samples.map((sample) => row(sampleRow(sample))),
    '',
    `Growth, last third vs first: RSS ${pct(report.growthPercent.rss)}, heap ${pct(report.growthPercent.heapUsed)}, open handles ${pct(report.growthPercent.handles)}.${report.heapSpaces.length ? ` V8 heap held by space, first third → last: ${describeSpaces(report.heapSpaces)}.` : ''} Stores: ${report.stores.map((v) => `${v.name} ${v.bounded ? 'ok' : 'growing'} (max ${v.max})`).join('; ')}.`,
  ].join('\n');
}
