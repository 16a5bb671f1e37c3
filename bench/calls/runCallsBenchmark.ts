import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PriorityRequest } from '../../cli/processPriority.js';
import { describeOtherTasks, pinToCpus, probedMachineInfo } from '../lib/index.js';
import { buildReport, type CallsBenchReport } from './buildReport.js';
import { measureConcurrentCalls, type ConcurrentCallsResult } from './measureConcurrentCalls.js';
import { measureSetupRate, type SetupRateStep } from './measureSetupRate.js';
import { measureUdpFloor, type UdpFloorResult } from './measureUdpFloor.js';
import { summarizeProfileFile } from './summarizeProfile.js';
import { startWireCapture } from './wireCapture.js';
import { gitCommit, sippVersion } from '../lib/versions.js';

export interface CallsBenchmarkOptions {
  /** The repository root: dist/ and test/sipp/ are found from here. */
  root: string;
  rates: number[];
  secondsPerStep: number;
  calls: number;
  rampRate: number;
  seconds: number;
  /** Concurrent-call runs in a row, each with a fresh emulator and callers (default 1). */
  runs?: number;
  /** Skip the SIPp setup-rate part (and the need for sipp). */
  concurrentOnly?: boolean;
  /** When set, every emulator process runs with `--cpu-prof` and writes its profile under here. */
  profileDir?: string;
  /** The scheduling priority (nice) of every emulator and of the callers; undefined leaves theirs alone. */
  priority?: PriorityRequest;
  /** With --pin: the CPU of each concurrent-call run's emulator and the CPU of its callers. */
  pin?: { emulator: number; callers: number };
  /** Seconds to measure the bare-Node floor for (measureUdpFloor); 0 skips it (default 10). */
  floorSeconds?: number;
  /** Also measure each run's jitter on the wire: its RTP captured on `lo` by dumpcap (`--wire`). */
  wire?: boolean;
  log: (line: string) => void;
}

export type CallsBenchmarkResult = { ok: true; report: CallsBenchReport } | { ok: false; reason: string };

/** The newest profile `--cpu-prof` wrote into `dir`, summarized. */
function profileOf(part: string, dir: string, root: string): NonNullable<CallsBenchReport['profiles']>[number] | undefined {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f)) : [];
  const newest = files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  return newest ? { part, file: newest, top: summarizeProfileFile(newest, { root, top: 15 }) } : undefined;
}

/** The issue's benchmark in one run: call setup rate with SIPp, then concurrent calls with audio both ways. */
export async function runCallsBenchmark(options: CallsBenchmarkOptions): Promise<CallsBenchmarkResult> {
  // The captures (headers only, RTP only) live here until each run has read its own.
  const wireDir = options.wire ? mkdtempSync(join(tmpdir(), 'omnisip-bench-wire-')) : undefined;
  try {
    return await runBenchmark(options, wireDir);
  } finally {
    if (wireDir) rmSync(wireDir, { recursive: true, force: true });
  }
}

async function runBenchmark(options: CallsBenchmarkOptions, wireDir: string | undefined): Promise<CallsBenchmarkResult> {
  const { root } = options;
  if (wireDir) {
    // Before minutes of measuring: a capture that cannot start says why now.
    const probe = await startWireCapture(join(wireDir, 'probe.pcap'));
    if (!probe.ok) return probe;
    await probe.capture.stop();
  }
  for (const built of ['dist/cli/main.js', 'dist/bench/calls/callers.js', 'dist/bench/calls/udpFloor.js']) {
    if (!existsSync(join(root, built))) return { ok: false, reason: `no build at ${join(root, built)}: run 'npm run bench:calls' (it builds first)` };
  }
  const sipp = options.concurrentOnly ? (sippVersion() ?? 'SIPp not used') : sippVersion();
  if (!sipp) return { ok: false, reason: 'sipp is not installed: run scripts/install-peers.sh' };
  const machine = await probedMachineInfo();
  const profileFlags = (part: string) => {
    if (!options.profileDir) return undefined;
    mkdirSync(join(options.profileDir, part), { recursive: true });
    return ['--cpu-prof', '--cpu-prof-dir', join(options.profileDir, part)];
  };

  let steps: SetupRateStep[] = [];
  if (!options.concurrentOnly) {
    options.log(`call setup rate: ${options.rates.join(', ')} calls/s, ${options.secondsPerStep} s each`);
    const setup = await measureSetupRate({ root, rates: options.rates, secondsPerStep: options.secondsPerStep, nodeFlags: (rate) => profileFlags(`setup-${rate}`), priority: options.priority, log: options.log });
    if (!setup.ok) return setup;
    steps = setup.steps;
  }

  // Before the calls, so that nothing of theirs is still winding down while it runs.
  let floor: UdpFloorResult | undefined;
  const floorSeconds = options.floorSeconds ?? 10;
  if (floorSeconds > 0) {
    options.log(`bare-Node floor: ${options.calls} UDP sockets a side, 50 packets/s each way per socket, for ${floorSeconds} s`);
    // With --pin, placed as the emulator and the callers are: the side measured on the emulator's CPU, its peer on the callers'.
    const sideCpus = options.pin ? [options.pin.emulator, options.pin.callers] : [];
    let sidesStarted = 0;
    const pinSide = (pid: number): void => {
      const warning = pinToCpus(pid, String(sideCpus[sidesStarted++]));
      if (warning) options.log(`warning: ${warning}`);
    };
    const measured = await measureUdpFloor({ root, sockets: options.calls, seconds: floorSeconds, ...(options.pin && { onStarted: pinSide }) });
    if (!measured.ok) return measured;
    floor = measured.result;
    options.log(`bare-Node floor: ${Math.round(floor.cpu * 100)}% of a core (the other side ${Math.round(floor.peerCpu * 100)}%), ${Math.round(floor.sentPerSecond)} packets/s sent, ${Math.round(floor.receivedPerSecond)} received`);
  }

  const runs = options.runs ?? 1;
  const concurrent: ConcurrentCallsResult[] = [];
  for (let run = 1; run <= runs; run++) {
    const which = runs > 1 ? ` (run ${run} of ${runs})` : '';
    options.log(`concurrent calls${which}: ${options.calls}, placed at ${options.rampRate}/s, measured for ${options.seconds} s`);
    const measured = await measureConcurrentCalls({ root, calls: options.calls, rampRate: options.rampRate, seconds: options.seconds, nodeFlags: profileFlags(runs > 1 ? `concurrent-${run}` : 'concurrent'), priority: options.priority, pin: options.pin, ...(wireDir && { wireFile: join(wireDir, `run-${run}.pcap`) }), log: options.log });
    if (!measured.ok) return measured;
    const { window: w, emulator, otherLoadPercent, otherTasks, wire } = measured.result;
    options.log(
      `concurrent calls${which}: jitter |D| p50 ${w.deviationMs?.p50.toFixed(2)} ms, p99 ${w.deviationMs?.p99.toFixed(2)} ms${wire ? ` (on the wire ${wire.deviationMs?.p99.toFixed(2)} ms)` : ''}; loss ${w.packetsLost} of ${w.packetsExpected}; emulator CPU ${Math.round(emulator.cpu * 100)}% of a core; callers CPU ${Math.round(w.callerCpu * 100)}%; other processes ${otherLoadPercent?.toFixed(0) ?? 'n/a'}% of all CPUs; other threads: ${describeOtherTasks(otherTasks, 2)}`,
    );
    concurrent.push(measured.result);
  }

  const profiles = options.profileDir
    ? [steps.length ? profileOf(`setup rate ${steps[steps.length - 1]!.rate}/s`, join(options.profileDir, `setup-${steps[steps.length - 1]!.rate}`), root) : undefined, profileOf(`${options.calls} concurrent calls`, join(options.profileDir, runs > 1 ? `concurrent-${runs}` : 'concurrent'), root)].filter((p) => p !== undefined)
    : undefined;
  const report = buildReport({
    machine,
    settings: {
      rates: options.rates,
      secondsPerStep: options.secondsPerStep,
      calls: options.calls,
      rampRate: options.rampRate,
      seconds: options.seconds,
      runs,
      ...(options.priority !== undefined && { priority: options.priority }),
      ...(options.pin && { pin: options.pin }),
      ...(options.wire && { wire: true }),
      omnisipVersion: (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
      gitCommit: gitCommit(root),
      sippVersion: sipp,
    },
    steps,
    concurrent,
    ...(floor && { floor }),
    profiles,
  });
  return { ok: true, report };
}
