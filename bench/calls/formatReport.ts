import { describeMachine, describeOtherTasks, describeStart, longSlices, median, type LatencySummary } from '../lib/index.js';
import { lossPercent, type CallsBenchReport, type CallsBenchSettings } from './buildReport.js';
import type { ConcurrentCallsResult } from './measureConcurrentCalls.js';
import { stepPassed } from './measureSetupRate.js';

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
const pct = (share: number) => `${Math.round(share * 100)}%`;
const ms = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(2)} ms`);
/** The benchmark keeps both CPUs of a 2-core machine busy; anything else running skews it. */
const busy = (report: CallsBenchReport) => report.machine.loadAverage[0] > report.machine.nproc / 2;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ')).join('\n');
}

/** Every step passed, so the highest rate is a floor, not the limit. */
const allPassed = (report: CallsBenchReport) => report.setupRate.steps.length > 0 && report.setupRate.steps.every(stepPassed);

/** Emulator CPU per call up, in percent of a core: the figure that should not grow with the calls. */
const perCall = (run: ConcurrentCallsResult) => `${((100 * run.emulator.cpu) / Math.max(1, run.window.calls)).toFixed(3)}%`;
/** The emulator's CPU as a multiple of the bare-Node floor's for the same packets, e.g. `1.62×`, or `n/a` without a floor. */
const overFloor = (report: CallsBenchReport, run: ConcurrentCallsResult) => (report.floor && report.floor.cpu > 0 ? `${(run.emulator.cpu / report.floor.cpu).toFixed(2)}×` : 'n/a');
const other = (run: ConcurrentCallsResult) => (run.otherLoadPercent === undefined ? 'n/a' : `${run.otherLoadPercent.toFixed(0)}%`);
/** Other threads that held a CPU for 1 ms or more at a time in the run, e.g. `kdamond.0 4.0 ms`, or `none`. */
const slices = (run: ConcurrentCallsResult) => (run.otherTasks === undefined ? 'n/a' : longSlices(run.otherTasks).join(', ') || 'none');

const percent1 = (share: number) => `${(share * 100).toFixed(1)}%`;
const waits = (r: ConcurrentCallsResult) => (r.runQueueWait ? `${percent1(r.runQueueWait.emulator)}/${percent1(r.runQueueWait.callers)}` : 'n/a');

/** One line per concurrent-call run and the spread over them, when there were several. */
function runsTable(report: CallsBenchReport): string[] {
  const runs = report.concurrentRuns;
  if (runs.length < 2) return [];
  const p99s = runs.flatMap((r) => (r.window.deviationMs ? [r.window.deviationMs.p99] : []));
  const cpus = runs.map((r) => r.emulator.cpu);
  const wired = runs.some((r) => r.wire);
  const wireP99s = runs.flatMap((r) => (r.wire?.deviationMs ? [r.wire.deviationMs.p99] : []));
  return [
    '',
    table([
      [`${runs.length} runs (each a fresh emulator and callers)`, '|D| p50', 'p99', 'max', ...(wired ? ['p99 on the wire'] : []), 'loss', 'emulator CPU', 'per call', '÷ floor', 'callers CPU', 'callers loop p99', 'other load', 'idle timer p99', 'CPU wait emulator/callers', 'other threads, 1 ms+ slices'],
      ...runs.map((r, i) => [`run ${i + 1}`, ms(r.window.deviationMs?.p50), ms(r.window.deviationMs?.p99), ms(r.window.deviationMs?.max), ...(wired ? [ms(r.wire?.deviationMs?.p99)] : []), `${lossPercent(r.window).toFixed(3)}%`, pct(r.emulator.cpu), perCall(r), overFloor(report, r), pct(r.window.callerCpu), ms(r.window.callerLoopDelayMs.p99), other(r), ms(r.idleTimerLatenessMs?.p99), waits(r), slices(r)]),
    ]),
    `spread over ${runs.length} runs: jitter p99 ${p99s.length ? `min ${ms(Math.min(...p99s))}, median ${ms(median(p99s))}, max ${ms(Math.max(...p99s))}` : 'n/a'}; emulator CPU min ${pct(Math.min(...cpus))}, median ${pct(median(cpus))}, max ${pct(Math.max(...cpus))} of a core${wireP99s.length ? `; on the wire, jitter p99 min ${ms(Math.min(...wireP99s))}, median ${ms(median(wireP99s))}, max ${ms(Math.max(...wireP99s))}` : ''}`,
    ...(wired ? ['"p99 on the wire": the same deviation from the kernel\'s timestamps as the emulator\'s packets left on lo (--wire), before the callers\' process read them.'] : []),
    '"other load": share of all CPUs used by processes other than the benchmark\'s during the window; "idle timer p99": how late a 20 ms timer fired in the idle benchmark process, the delay the machine alone imposes; "CPU wait": the share of the window each main thread was ready to run but waiting for a CPU (two processes that tick every millisecond on one CPU wait for each other); "other threads, 1 ms+ slices": threads outside the benchmark, kernel threads too, that held a CPU for a millisecond or more at a time, each delaying whatever needed that CPU by as long. With much of any, the jitter says more about the machine than about omnisip.',
  ];
}

/** What reading the packets added at the callers: their p99 over the wire's. */
function wireShare(run: ConcurrentCallsResult): string {
  const atCallers = run.window.deviationMs?.p99;
  const onWire = run.wire?.deviationMs?.p99;
  return atCallers === undefined || onWire === undefined ? '' : `; the callers' p99 is ${ms(atCallers - onWire)} above it: their own process's delay in reading the packets`;
}

const spread = (s: LatencySummary | undefined) => (s ? `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)}` : 'n/a');

/** The console report: setup-rate steps, the concurrent-call window, then one PASS/MISS line per target. */
export function formatText(report: CallsBenchReport): string {
  const { settings: s, concurrent: c } = report;
  const steps = table([
    ['setup rate (SIPp, INVITE/200/ACK/BYE)', 'calls', 'ok', 'failed', 'achieved/s', 'emulator CPU', 'peak RSS', ''],
    ...report.setupRate.steps.map((step) => [`${step.rate} calls/s for ${s.secondsPerStep} s`, String(step.calls), String(step.successful), String(step.failed), step.achievedRate.toFixed(1), pct(step.emulatorCpu), mib(step.emulatorPeakRssBytes), stepPassed(step) ? 'ok' : 'FAILED']),
  ]);
  const w = c.window;
  const slow = longSlices(c.otherTasks);
  return [
    `omnisip calls benchmark, ${report.machine.date}`,
    `machine: ${describeMachine(report.machine)} (nproc ${report.machine.nproc}); ${describeStart(report.machine)}`,
    `omnisip ${s.omnisipVersion} (${s.gitCommit}), ${s.sippVersion}; emulator, callers and SIPp each a separate process${s.priority !== undefined ? `; emulator and callers asked to run at scheduling priority ${s.priority} (--priority)` : ''}${s.pin ? `; for concurrent calls, the emulator pinned to CPU ${s.pin.emulator} and the callers to CPU ${s.pin.callers} (--pin)` : ''}`,
    ...(busy(report) ? [`warning: the machine was busy at start (1-minute load average ${report.machine.loadAverage[0]} on ${report.machine.nproc} CPUs): other processes share the CPUs, so every number here is worse than on an idle machine`] : []),
    ...(report.setupRate.steps.length > 0
      ? [
          '',
          steps,
          `highest rate with 0 failed calls: ${report.setupRate.highestPassingRate} calls/s${allPassed(report) ? ' (every step passed: the limit is higher; try --rates with larger values)' : ''}`,
          ...report.setupRate.steps.filter((step) => step.failureOutput).map((step) => `\nSIPp at ${step.rate}/s (last lines):\n${step.failureOutput!.split('\n').slice(-12).join('\n')}`),
        ]
      : ['', 'call setup rate: skipped (--concurrent-only)']),
    ...runsTable(report),
    '',
    `concurrent calls${report.concurrentRuns.length > 1 ? ', the run with the highest jitter p99' : ''}: ${c.answered} of ${c.callsAsked} answered (${c.failed} failed), ramp ${s.rampRate} calls/s; setup ${spread(c.setupMs)}`,
    `  window ${w.seconds.toFixed(1)} s, ${w.calls} calls, G.711 both ways (50 packets/s each way per call)`,
    `  at the callers: loss ${lossPercent(w).toFixed(3)}% (${w.packetsLost} of ${w.packetsExpected}); |D| ${spread(w.deviationMs)}; RFC 3550 jitter mean ${ms(w.jitterMs.mean)}, max ${ms(w.jitterMs.max)}`,
    ...(c.wire ? [`  on the wire (lo, stamped by the kernel as the emulator sent; dumpcap): |D| ${spread(c.wire.deviationMs)}, ${c.wire.packets} packets in ${c.wire.streams} streams${wireShare(c)}`] : []),
    `  callers process: CPU ${pct(w.callerCpu)} of a core, event-loop delay p99 ${ms(w.callerLoopDelayMs.p99)}, max ${ms(w.callerLoopDelayMs.max)}, ${w.callerSkippedFrames} frames skipped`,
    `  emulator process: CPU ${pct(c.emulator.cpu)} of a core (${perCall(c)} per call), RSS ${mib(c.emulator.rssBytes)} (peak ${mib(c.emulator.peakRssBytes)})`,
    ...(report.floor
      ? [
          `  bare-Node floor for the same packets (two plain Node processes, ${report.floor.sockets} UDP sockets a side, 50 packets/s each way per socket, 10 sockets a millisecond as the pacer sends; no RTP, no audio): ${pct(report.floor.cpu)} of a core (${Math.round(report.floor.sentPerSecond)} packets/s sent, ${Math.round(report.floor.receivedPerSecond)} received); the emulator used ${overFloor(report, c)} that, ${pct(Math.max(0, c.emulator.cpu - report.floor.cpu))} of a core over it for its calls' own work`,
        ]
      : []),
    `  at the agent (whole calls): ${c.agentReceived.packetsLost} of ${c.agentReceived.packetsReceived + c.agentReceived.packetsLost} packets lost`,
    `  other processes on the machine: ${other(c)} of all CPUs during the window; a 20 ms timer in the idle benchmark process fired late by ${spread(c.idleTimerLatenessMs)}`,
    `  other threads that ran (kernel threads too): ${describeOtherTasks(c.otherTasks)}`,
    ...(c.scheduling ? [`  scheduling during the window: emulator ${c.scheduling.emulator}, callers ${c.scheduling.callers}`] : []),
    ...(c.runQueueWait ? [`  waiting for a CPU while ready to run (main threads): emulator ${percent1(c.runQueueWait.emulator)}, callers ${percent1(c.runQueueWait.callers)} of the window`] : []),
    ...(slow.length > 0 ? [`warning: ${slow.join(', ')}: another thread held a CPU that long at a time during the window; a packet due meanwhile on that CPU waited as long, so the jitter's tail measures the machine as much as omnisip`] : []),
    ...(report.profiles ?? []).flatMap((p) => ['', `where the emulator's CPU went (${p.part}, ${p.file}):`, ...p.top.map((e) => `  ${e.selfPercent.toFixed(1).padStart(5)}%  ${e.function}  ${e.location}`)]),
    '',
    ...report.checks.map((check) => `${check.pass ? 'PASS' : 'MISS'}  ${check.check}: ${check.measured} (target ${check.target})`),
    '',
    report.pass ? 'All targets met.' : 'Some targets missed (MISS above).',
  ].join('\n');
}

/** The options of a run that change how it is measured, as `npm run bench:calls` takes them. */
function reproduceArgs(s: CallsBenchSettings): string {
  const args = [...(s.priority !== undefined ? [`--priority ${s.priority}`] : []), ...(s.pin ? ['--pin'] : []), ...(s.wire ? ['--wire'] : [])];
  return args.length > 0 ? ` -- ${args.join(' ')}` : '';
}

/** Those options in words, for the reproduce line. */
function describeSettings(s: CallsBenchSettings): string {
  const parts = [...(s.priority !== undefined ? [`emulator and callers at scheduling priority ${s.priority}`] : []), ...(s.pin ? [`the emulator on CPU ${s.pin.emulator} and the callers on CPU ${s.pin.callers}`] : []), ...(s.wire ? ['RTP also captured on lo'] : [])];
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/** This run's table for docs/performance.md, with the date, machine and command to reproduce it. */
export function formatMarkdown(report: CallsBenchReport): string {
  const { settings: s, concurrent: c, machine } = report;
  const w = c.window;
  const check = (name: string) => (report.checks.find((c) => c.check.startsWith(name))?.pass ? 'PASS' : 'MISS');
  const runs = report.concurrentRuns;
  return [
    `### Calls through the built-in PBX (${machine.date.slice(0, 10)})`,
    '',
    `Measured ${machine.date} on ${describeMachine(machine)} (1-minute load average ${machine.loadAverage[0]} at start); omnisip ${s.gitCommit}, ${s.sippVersion}.`,
    `Setup rate: SIPp INVITE/200/ACK/BYE to one listener, ${s.rates.join(', ')} calls/s for ${s.secondsPerStep} s each, a fresh emulator per step. Concurrent calls: ${s.calls} callers built on \`sip/\` + \`media/\` in their own process, G.711 both ways, measured for ${s.seconds} s with every call up${s.runs > 1 ? `, ${s.runs} runs in a row (a fresh emulator and callers each)` : ''}.`,
    `Reproduce with \`npm run bench:calls${reproduceArgs(s)}\`${describeSettings(s)}.`,
    '',
    '| Measure | Target | Measured | |',
    '|---|---:|---:|---|',
    ...(report.setupRate.steps.length > 0 ? [`| Call setup rate, 0 failed calls | ≥ 200 calls/s | ${report.setupRate.highestPassingRate} calls/s${allPassed(report) ? ' (highest step tried)' : ''} | ${check('call setup rate')} |`] : []),
    `| Concurrent calls answered | ${c.callsAsked} | ${c.answered} (${c.failed} failed) | ${check('concurrent calls')} |`,
    `| Audio loss, agent → callers | < 0.1% | ${lossPercent(w).toFixed(3)}% | ${check('audio loss')} |`,
    `| Inter-arrival jitter p99 at the callers | < 5 ms | ${ms(w.deviationMs?.p99)}${runs.length > 1 ? ` (worst of ${runs.length} runs: ${runs.map((r) => ms(r.window.deviationMs?.p99)).join(', ')})` : ''} | ${check('inter-arrival jitter')} |`,
    ...(c.wire ? [`| Inter-arrival jitter p99 on the wire (the emulator's sends, kernel timestamps on lo) | | ${ms(c.wire.deviationMs?.p99)}${runs.length > 1 ? ` (runs: ${runs.map((r) => ms(r.wire?.deviationMs?.p99)).join(', ')})` : ''} | |`] : []),
    `| Emulator CPU, ${w.calls} calls | | ${pct(c.emulator.cpu)} of a core (${perCall(c)} per call)${runs.length > 1 ? `; runs: ${runs.map((r) => pct(r.emulator.cpu)).join(', ')}` : ''} | |`,
    ...(report.floor ? [`| Bare-Node floor for the same packets (no RTP, no audio) | | ${pct(report.floor.cpu)} of a core; the emulator ÷ floor: ${runs.map((r) => overFloor(report, r)).join(', ')} | |`] : []),
    `| Other processes during the window | | ${runs.map(other).join(', ')} of all CPUs | |`,
    `| Other threads holding a CPU 1 ms or more at a time | | ${runs.map(slices).join('; ')} | |`,
    `| Emulator RSS, ${w.calls} calls | | ${mib(c.emulator.rssBytes)} (peak ${mib(c.emulator.peakRssBytes)}) | |`,
    `| Call setup time at the callers | | p50 ${ms(c.setupMs?.p50)}, p99 ${ms(c.setupMs?.p99)} | |`,
    '',
    report.setupRate.steps.length === 0 ? 'Setup rate not measured in this run (--concurrent-only).' : `Setup-rate steps: ${report.setupRate.steps.map((step) => `${step.rate}/s ${stepPassed(step) ? 'ok' : `${step.failed} failed`} (CPU ${pct(step.emulatorCpu)}, peak RSS ${mib(step.emulatorPeakRssBytes)})`).join('; ')}.`,
  ].join('\n');
}
