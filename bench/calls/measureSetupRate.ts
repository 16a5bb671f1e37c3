import { join } from 'node:path';
import type { PriorityRequest } from '../../cli/processPriority.js';
import { runSipp } from '../../test/support/sipp.js';
import { cpuShare, readProcessUsage } from './processUsage.js';
import { prepareListener } from './prepareListener.js';
import { priorityArgs, startEmulatorProcess } from './startEmulatorProcess.js';

export interface SetupRateStep {
  /** Calls per second asked of SIPp. */
  rate: number;
  calls: number;
  successful: number;
  failed: number;
  /** SIPp's own cumulative call rate: below `rate` when it could not keep the pace. */
  achievedRate: number;
  /** Emulator CPU over the step, as a share of one core. */
  emulatorCpu: number;
  emulatorPeakRssBytes: number;
  /** SIPp's last lines when the step failed (why the calls failed). */
  failureOutput?: string;
}

export interface SetupRateOptions {
  root: string;
  rates: number[];
  secondsPerStep: number;
  /** Node flags for the emulator of each step, e.g. `--cpu-prof` into a folder per rate. */
  nodeFlags?: (rate: number) => string[] | undefined;
  /** The emulator's scheduling priority (`omnisip start --priority`); undefined leaves it alone. */
  priority?: PriorityRequest;
  log: (line: string) => void;
}

/** A step passes when every call succeeded at (nearly) the asked rate. */
export function stepPassed(step: SetupRateStep): boolean {
  return step.failed === 0 && step.successful === step.calls && step.achievedRate >= 0.95 * step.rate;
}

/** SIPp's final "Call Rate" line: `Call Rate | 0.000 cps | 199.820 cps`, cumulative value last. */
export function parseAchievedRate(output: string): number {
  const rates = [...output.matchAll(/Call Rate\s*\|\s*[\d.]+ cps\s*\|\s*([\d.]+) cps/g)];
  const last = rates[rates.length - 1];
  return last ? Number(last[1]) : 0;
}

/**
 * Call setup rate through the PBX to one listener: SIPp places INVITE / 200 / ACK / BYE calls at
 * each rate in turn for `secondsPerStep`, each step against a freshly started emulator (the
 * previous step's calls linger in memory for the 32 s of their transactions' Timer J / RFC 6026
 * Accepted state). Stops after the first step with a failure.
 */
export async function measureSetupRate(options: SetupRateOptions): Promise<{ ok: true; steps: SetupRateStep[] } | { ok: false; reason: string }> {
  const steps: SetupRateStep[] = [];
  for (const rate of options.rates) {
    const emulator = await startEmulatorProcess({ root: options.root, config: { maxConcurrentCalls: 100_000 }, nodeFlags: options.nodeFlags?.(rate), args: priorityArgs(options.priority) });
    if (!emulator.ok) return emulator;
    try {
      const prepared = await prepareListener(emulator.apiUrl);
      if (!prepared.ok) return prepared;
      const [user, domain] = prepared.listener.uri.slice('sip:'.length).split('@');
      const calls = rate * options.secondsPerStep;
      const before = readProcessUsage(emulator.process.pid);
      const startedAt = Date.now();
      const run = await runSipp({
        target: `127.0.0.1:${emulator.sipPort}`,
        scenario: join(options.root, 'test/sipp/call-setup.xml'),
        rows: [`${user};${domain}`],
        transport: 'UDP',
        calls,
        rate,
        timeoutSeconds: options.secondsPerStep + 60,
        // A call still waiting for an answer after 5 s counts as failed rather than stalling the step.
        extraArgs: ['-recv_timeout', '5000'],
      });
      const after = readProcessUsage(emulator.process.pid);
      const step: SetupRateStep = {
        rate,
        calls,
        successful: run.successful,
        failed: run.failed,
        achievedRate: parseAchievedRate(run.output),
        emulatorCpu: cpuShare(before, after, (Date.now() - startedAt) / 1000),
        emulatorPeakRssBytes: after.peakRssBytes,
      };
      if (!stepPassed(step)) step.failureOutput = run.output.slice(-3000);
      steps.push(step);
      options.log(`setup rate ${rate}/s: ${step.successful}/${calls} calls succeeded, ${step.failed} failed, SIPp achieved ${step.achievedRate.toFixed(1)}/s, emulator CPU ${(step.emulatorCpu * 100).toFixed(0)}% of a core, peak RSS ${(step.emulatorPeakRssBytes / 2 ** 20).toFixed(0)} MiB`);
      if (!stepPassed(step)) break;
    } finally {
      await emulator.process.stop();
    }
  }
  return { ok: true, steps };
}

/** The highest rate that passed with every lower step passing too; 0 when the first failed. */
export function highestPassingRate(steps: SetupRateStep[]): number {
  let best = 0;
  for (const step of steps) {
    if (!stepPassed(step)) break;
    best = step.rate;
  }
  return best;
}
