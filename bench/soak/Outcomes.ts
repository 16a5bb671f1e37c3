import { generators, metFault, type FaultWindow, type Generator } from './faultSchedule.js';

export interface OutcomeTally {
  attempts: number;
  failed: number;
}

export interface GeneratorOutcome {
  /** Attempts that met no fault able to make them fail: every one should have succeeded. */
  clean: OutcomeTally & { reasons: string[] };
  /** Attempts during (or just after) a fault that affects them: they may fail. */
  duringFault: OutcomeTally;
}

/** At most this many distinct failure reasons are kept per generator, for the report. */
const keptReasons = 5;

/**
 * The soak's attempts (calls, registrations, handoffs, API requests), sorted as they end into those
 * that met a fault able to make them fail and those that did not. Times are wall-clock ms.
 */
export class Outcomes {
  private readonly tallies = new Map<Generator, GeneratorOutcome>(generators.map((g) => [g, { clean: { attempts: 0, failed: 0, reasons: [] }, duringFault: { attempts: 0, failed: 0 } }]));

  constructor(
    private readonly windows: readonly FaultWindow[],
    /** Wall-clock ms when the load started: window times count from here. */
    private readonly loadStart: number,
  ) {}

  record(generator: Generator, startedAt: number, endedAt: number, attempts: number, failed: number, reason?: string): void {
    const tally = this.tallies.get(generator)!;
    const during = metFault(this.windows, generator, (startedAt - this.loadStart) / 1000, (endedAt - this.loadStart) / 1000);
    const bucket = during ? tally.duringFault : tally.clean;
    bucket.attempts += attempts;
    bucket.failed += failed;
    if (!during && failed > 0 && reason && tally.clean.reasons.length < keptReasons && !tally.clean.reasons.includes(reason)) tally.clean.reasons.push(reason);
  }

  summary(): Record<Generator, GeneratorOutcome> {
    return Object.fromEntries([...this.tallies].map(([g, t]) => [g, structuredClone(t)])) as Record<Generator, GeneratorOutcome>;
  }
}
