import { describeMachine, describeStart, formatGiB, longSlices } from '../lib/index.js';
import type { ConnectionsResult } from './measureConnections.js';
import type { ServerRegistrations, SipRegisterReport } from './runSipRegisterBenchmark.js';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${Math.round(bytes / 2 ** 20)} MB`);
const seconds = (s: number | undefined) => (s === undefined ? 'never' : `${s.toFixed(2)} s`);
const perConnection = (c: ConnectionsResult) => (c.allOnlineSeconds === undefined ? 'n/a' : `${((c.allOnlineSeconds * 1000) / c.requested).toFixed(2)} ms`);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ')).join('\n');
}

const registrationRow = (name: string, r: ServerRegistrations) => [
  name,
  int(r.medianPerSecond),
  int(2 * r.medianPerSecond),
  r.rounds.map((x) => `${int(x.measured.registrationsPerSecond)} (${x.measured.seconds.toFixed(1)} s)`).join(', '),
  int(r.successful),
  int(r.failed),
  mib(r.peakRssBytes),
];

/** `min–max (±half the range as % of the median)` of a server's measured rounds: the noise a reader should allow. */
function spread(r: ServerRegistrations): string {
  const rates = r.rounds.map((x) => x.measured.registrationsPerSecond);
  const low = Math.min(...rates);
  const high = Math.max(...rates);
  return `${int(low)}–${int(high)} (±${r.medianPerSecond ? (((high - low) / 2 / r.medianPerSecond) * 100).toFixed(0) : '?'}%)`;
}

/**
 * The rounds during which a thread outside the benchmark held a CPU for 1 ms or more at a time,
 * e.g. `omnisip round 2: kdamond.0 4.1 ms`: a round slowed by the machine, not by its server.
 */
function longSliceRounds(r: SipRegisterReport['registrations']): string | undefined {
  const parts = (['omnisip', 'kamailio'] as const).flatMap((name) =>
    r[name].rounds.flatMap((round, i) => {
      const slow = longSlices(round.otherTasks);
      return slow.length ? [`${name} round ${i + 1}: ${slow.join(', ')}`] : [];
    }),
  );
  return parts.length ? parts.join('; ') : undefined;
}

/** The console report: machine, both tables, one PASS/MISS line per target. */
export function formatText(report: SipRegisterReport): string {
  const { machine, settings: s, registrations: r, connections: c } = report;
  const slowRounds = longSliceRounds(r);
  return [
    `omnisip SIP registration benchmark, ${machine.date}`,
    `machine: ${describeMachine(machine)}; nproc ${machine.nproc}; memory ${formatGiB(machine.totalMemoryBytes)}; ${describeStart(machine)}`,
    `load: SIPp ${s.scenario} over ${s.transport}, ${s.users} users, ${s.concurrency} registrations in progress at once; ${s.rounds} rounds per server, alternating, each a fresh process, a warm-up and ~${s.durationSeconds} s measured`,
    '',
    table([['server', 'median registrations/s', 'transactions/s', 'rounds', 'successful', 'failed', 'peak RSS'], registrationRow('omnisip', r.omnisip), registrationRow('kamailio', r.kamailio)]),
    `omnisip ÷ kamailio (medians): ${(r.ratio * 100).toFixed(1)}%   (Kamailio's peak RSS is its main process only)`,
    `spread of the rounds: omnisip ${spread(r.omnisip)}, kamailio ${spread(r.kamailio)}`,
    ...(slowRounds !== undefined ? [`threads outside the benchmark (kernel threads too) that held a CPU 1 ms or more at a time during a measured round: ${slowRounds}`] : []),
    '',
    table([
      ['SIP connections', 'created in', 'all online after', 'per connection', 'CPU per connection', 'online', 'RSS idle', 'RSS online', 'peak RSS'],
      ...c.map((x) => [int(x.requested), seconds(x.createSeconds), seconds(x.allOnlineSeconds), perConnection(x), `${((x.cpuSeconds * 1000) / x.requested).toFixed(2)} ms`, int(x.online), mib(x.memoryIdle?.rssBytes), mib(x.memoryOnline?.rssBytes), mib(x.memoryOnline?.peakRssBytes)]),
    ]),
    '(each size a fresh emulator process; "per connection" is all online after ÷ connections, "CPU" the emulator\'s user + system time until then)',
    '',
    ...report.checks.map((x) => `${x.pass ? 'PASS' : 'MISS'}  ${x.check}: ${x.measured} (target ${x.target})`),
    ...profileLines(r.omnisip),
  ].join('\n');
}

/** With --profile: where omnisip's CPU time went in its last round, by self time. */
function profileLines({ profile }: ServerRegistrations): string[] {
  if (profile === undefined) return [];
  return [
    '',
    `omnisip CPU profile (${profile.file}), ${(profile.totalMs / 1000).toFixed(1)} s sampled, self time:`,
    ...profile.topFunctions.map((f) => `  ${f.percent.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`),
    'by file:',
    ...profile.topFiles.map((f) => `  ${f.percent.toFixed(1).padStart(5)}%  ${f.where}`),
  ];
}

/** The run's table for docs/performance.md, numbers as measured. */
export function formatMarkdown(report: SipRegisterReport): string {
  const { machine, settings: s, registrations: r, connections: curve } = report;
  const c = curve.at(-1)!;
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const result = (check: number) => (report.checks[check]?.pass ? 'PASS' : 'MISS');
  return [
    `Measured ${machine.date.slice(0, 10)} on ${describeMachine(machine)} (load average ${machine.loadAverage[0]} at start) by \`npm run bench:sip-register\`: SIPp \`${s.scenario}\` over ${s.transport}, ${s.users} users, ${s.concurrency} at once, median of ${s.rounds} alternating rounds of ~${s.durationSeconds} s per server.`,
    '',
    row(['SIP', 'omnisip', 'Kamailio 5.6', 'target', 'result']),
    row(['---', '---:', '---:', '---', '---']),
    row(['authenticated REGISTERs/s (401 + 200)', int(r.omnisip.medianPerSecond), int(r.kamailio.medianPerSecond), '≥ 50% of Kamailio', `${(r.ratio * 100).toFixed(1)}% ${result(0)}`]),
    row(['spread of the rounds', spread(r.omnisip), spread(r.kamailio), '', '']),
    row(['failed registrations', `${r.omnisip.failed} of ${int(r.omnisip.attempted)}`, `${r.kamailio.failed} of ${int(r.kamailio.attempted)}`, '0', result(1)]),
    row(['peak RSS while registering', mib(r.omnisip.peakRssBytes), `${mib(r.kamailio.peakRssBytes)} (main process)`, '< 300 MB', result(2)]),
    row([`${int(c.requested)} SIP connections Running/online`, seconds(c.allOnlineSeconds), '', report.checks[3]?.target ?? '', result(3)]),
    row([`emulator RSS with ${int(c.requested)} online`, mib(c.memoryOnline?.rssBytes), '', '< 500 MB', result(4)]),
    row([`time per connection, ${int(c.requested)} vs ${int(curve[0]!.requested)}`, report.checks[5]?.measured ?? '', '', '≤ 1.5×', result(5)]),
    '',
    `Connections curve (time to all online ÷ connections): ${curve.map((x) => `${int(x.requested)}: ${perConnection(x)}`).join(', ')}.`,
  ].join('\n');
}
