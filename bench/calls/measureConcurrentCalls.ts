import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { PriorityRequest } from '../../cli/processPriority.js';
import type { LatencySummary, OtherTask } from '../lib/index.js';
import { allowedCpus, CpuMeter, LatencyRecorder, pinToCpus, RunQueueMeter, startProcess, TaskMeter } from '../lib/index.js';
import { parseCallersMessage, type CallersWindow } from './callersProtocol.js';
import { describeScheduling } from '../../cli/processPriority.js';
import { cpuShare, readProcessUsage, type ProcessUsage } from './processUsage.js';
import { prepareListener } from './prepareListener.js';
import { priorityArgs, startEmulatorProcess } from './startEmulatorProcess.js';
import { startWireCapture, type WireCapture } from './wireCapture.js';
import { wireJitter, type WireJitter } from './wireJitter.js';

export interface ConcurrentCallsResult {
  callsAsked: number;
  answered: number;
  failed: number;
  failures: string[];
  /** INVITE → 200 OK at the callers, while the calls were placed. */
  setupMs: LatencySummary | undefined;
  /** Measured at the callers, over the window with every call up. */
  window: CallersWindow;
  /** Emulator process over the window: CPU as a share of one core, and memory. */
  emulator: { cpu: number; rssBytes: number; peakRssBytes: number };
  /**
   * Percent of all CPUs' time that went to processes other than the benchmark's own (emulator,
   * callers, this one) over the window: other people's work on a shared machine; undefined off Linux.
   */
  otherLoadPercent?: number;
  /**
   * How late a 20 ms timer fired in this (otherwise idle) benchmark process over the window, in ms:
   * the scheduling delay the machine alone imposes on any process, the floor under the callers' jitter.
   */
  idleTimerLatenessMs?: LatencySummary;
  /**
   * Threads outside the benchmark (kernel threads included) that ran during the window, most CPU
   * first, with how long each held a CPU at a time: one that holds a CPU for milliseconds delays
   * the emulator's or the callers' packets as long, whatever its share. Undefined off Linux.
   */
  otherTasks?: OtherTask[];
  /** How the emulator and the callers were scheduled during the window (`nice 0`, `SCHED_FIFO 10`), from /proc; undefined off Linux. */
  scheduling?: { emulator: string; callers: string };
  /** The share of the window (0–1) each main thread was ready to run but waiting for a CPU (RunQueueMeter). */
  runQueueWait?: { emulator: number; callers: number };
  /**
   * With `wireFile`: the emulator's audio to the callers as the loopback interface saw it leave
   * (dumpcap), over the same window; the callers' own deviation is this plus their waits to read.
   */
  wire?: WireJitter;
  /** The agent's side of the same calls (whole calls, ramp included), from the control API. */
  agentReceived: { packetsReceived: number; packetsLost: number };
}

export interface ConcurrentCallsOptions {
  root: string;
  calls: number;
  /** Calls placed per second while ramping up. */
  rampRate: number;
  seconds: number;
  nodeFlags?: string[];
  /** The scheduling priority of the emulator and the callers (`--priority`); undefined leaves theirs alone. */
  priority?: PriorityRequest;
  /** The emulator on one CPU and the callers on another, each with every thread (`--pin`). */
  pin?: { emulator: number; callers: number };
  /** Capture the window's RTP on `lo` to this pcap (removed once read) and measure the emulator's sends there (`--wire`). */
  wireFile?: string;
  log: (line: string) => void;
}

/** The window's deviation on the wire, from the capture, which is stopped and removed. */
async function readWire(capture: WireCapture, ports: number[], window: { fromMs: number; toMs: number }): Promise<{ ok: true; wire: WireJitter } | { ok: false; reason: string }> {
  await capture.stop();
  try {
    const measured = wireJitter(readFileSync(capture.file), { toPorts: new Set(ports), ...window });
    return measured.ok ? { ok: true, wire: measured.value } : { ok: false, reason: `the wire capture ${capture.file}: ${measured.reason}` };
  } finally {
    rmSync(capture.file, { force: true });
  }
}

/** `nice 0 on CPUs 0-1`: how process `pid` is scheduled and where it may run; undefined when /proc cannot say. */
function schedulingAndCpus(pid: number): string | undefined {
  const scheduling = describeScheduling(pid);
  const cpus = allowedCpus(pid);
  return scheduling && cpus ? `${scheduling} on CPU${/^\d+$/.test(cpus) ? '' : 's'} ${cpus}` : scheduling;
}

/** A 20 ms timer in this process, recording how late each firing is (see `idleTimerLatenessMs`). */
class TimerProbe {
  private readonly lateness = new LatencyRecorder();
  private last = performance.now();
  private readonly timer = setInterval(() => {
    const now = performance.now();
    this.lateness.record(Math.max(0, now - this.last - 20));
    this.last = now;
  }, 20);

  stop(): LatencySummary | undefined {
    clearInterval(this.timer);
    return this.lateness.summary();
  }
}

async function agentSide(apiUrl: string, connectionId: string): Promise<ConcurrentCallsResult['agentReceived']> {
  const list = (await (await fetch(`${apiUrl}/_emulator/calls`)).json()) as { items: Array<{ id: string; connectionId: string | null }> };
  const totals = { packetsReceived: 0, packetsLost: 0 };
  for (const summary of list.items.filter((c) => c.connectionId === connectionId)) {
    const call = (await (await fetch(`${apiUrl}/_emulator/calls/${summary.id}`)).json()) as { rtp: { packetsReceived: number; packetsLost: number } | null };
    totals.packetsReceived += call.rtp?.packetsReceived ?? 0;
    totals.packetsLost += call.rtp?.packetsLost ?? 0;
  }
  return totals;
}

/**
 * `calls` concurrent calls with G.711 both ways for `seconds`: the emulator in one process, the
 * callers (callers.ts, built on sip/ and media/) in another, so that each side's CPU is its
 * own. The emulator's CPU and memory are read from /proc at the window's start and end.
 */
export async function measureConcurrentCalls(options: ConcurrentCallsOptions): Promise<{ ok: true; result: ConcurrentCallsResult } | { ok: false; reason: string }> {
  const emulator = await startEmulatorProcess({ root: options.root, config: { maxConcurrentCalls: options.calls * 2 }, nodeFlags: options.nodeFlags, args: priorityArgs(options.priority) });
  if (!emulator.ok) return emulator;
  const pin = (pid: number, cpu: number | undefined): void => {
    const warning = cpu === undefined ? undefined : pinToCpus(pid, String(cpu));
    if (warning) options.log(`warning: ${warning}`);
  };
  pin(emulator.process.pid, options.pin?.emulator);
  let capture: WireCapture | undefined;
  try {
    const prepared = await prepareListener(emulator.apiUrl);
    if (!prepared.ok) return prepared;
    if (options.wireFile) {
      const started = await startWireCapture(options.wireFile);
      if (!started.ok) return started;
      capture = started.capture;
    }
    const callers = startProcess(
      process.execPath,
      [join(options.root, 'dist/bench/calls/callers.js'), '--pbx', `127.0.0.1:${emulator.sipPort}`, '--uri', prepared.listener.uri, '--calls', String(options.calls), '--rate', String(options.rampRate), '--seconds', String(options.seconds), ...priorityArgs(options.priority)],
      { cwd: options.root, stdout: 'pipe' },
    );
    // Before it places a call: a CPU each, as a caller on another machine would not share the emulator's.
    pin(callers.pid, options.pin?.callers);
    let placed: { answered: number; failed: number; failures: string[]; setupMs: LatencySummary | undefined } | undefined;
    let rtpPorts: number[] = [];
    const wireWindow = { fromMs: 0, toMs: 0 };
    let windowStart: { usage: ProcessUsage; at: number; meter: CpuMeter; tasks: TaskMeter; probe: TimerProbe; waits: RunQueueMeter } | undefined;
    let measured: { window: CallersWindow; emulator: ConcurrentCallsResult['emulator'] } | undefined;
    for await (const line of createInterface({ input: callers.stdout! })) {
      const message = parseCallersMessage(line);
      if (message?.event === 'placed') {
        placed = { answered: message.answered, failed: message.failed, failures: message.failures, setupMs: message.setupMs };
        rtpPorts = message.rtpPorts;
        options.log(`concurrent calls: ${message.answered}/${options.calls} answered (${message.failed} failed), setup p50 ${message.setupMs?.p50.toFixed(1)} ms, p99 ${message.setupMs?.p99.toFixed(1)} ms; measuring ${options.seconds} s`);
      } else if (message?.event === 'window-start') {
        wireWindow.fromMs = Date.now();
        windowStart = { usage: readProcessUsage(emulator.process.pid), at: Date.now(), meter: new CpuMeter([emulator.process.pid, callers.pid]), tasks: new TaskMeter([emulator.process.pid, callers.pid]), probe: new TimerProbe(), waits: new RunQueueMeter([emulator.process.pid, callers.pid]) };
      } else if (message?.event === 'window-end' && windowStart) {
        wireWindow.toMs = Date.now();
        const usage = readProcessUsage(emulator.process.pid);
        const otherLoadPercent = windowStart.meter.otherPercent();
        const otherTasks = windowStart.tasks.stop();
        const scheduling = { emulator: schedulingAndCpus(emulator.process.pid), callers: schedulingAndCpus(callers.pid) };
        const idleTimerLatenessMs = windowStart.probe.stop();
        const [emulatorWait, callersWait] = windowStart.waits.stop();
        measured = {
          window: message.window,
          emulator: { cpu: cpuShare(windowStart.usage, usage, (Date.now() - windowStart.at) / 1000), rssBytes: usage.rssBytes, peakRssBytes: usage.peakRssBytes },
          ...(otherLoadPercent !== undefined && { otherLoadPercent }),
          ...(idleTimerLatenessMs && { idleTimerLatenessMs }),
          ...(otherTasks && { otherTasks }),
          ...(scheduling.emulator !== undefined && scheduling.callers !== undefined && { scheduling: { emulator: scheduling.emulator, callers: scheduling.callers } }),
          ...(emulatorWait !== undefined && callersWait !== undefined && { runQueueWait: { emulator: emulatorWait, callers: callersWait } }),
        };
      }
    }
    const exit = await callers.exited;
    if (!placed || !measured) return { ok: false, reason: `the callers process ended early (code ${exit.code}, signal ${exit.signal})\nits stderr:\n${callers.stderrTail().trim()}` };
    const agentReceived = await agentSide(emulator.apiUrl, prepared.listener.connectionId);
    const wire = capture && (await readWire(capture, rtpPorts, wireWindow));
    capture = undefined;
    if (wire && !wire.ok) return wire;
    return { ok: true, result: { callsAsked: options.calls, ...placed, ...measured, ...(wire && { wire: wire.wire }), agentReceived } };
  } finally {
    await capture?.stop();
    if (capture) rmSync(capture.file, { force: true });
    await emulator.process.stop();
  }
}
