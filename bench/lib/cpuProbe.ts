import { median } from './percentile.js';

/**
 * How long one fixed CPU loop took here, warmed up, a few times in a row: the machine's own speed
 * when a run began. On a shared VM that speed can change by half from one second to the next, and
 * every figure of a run moves with it; two runs' probes say whether their machines were alike.
 */
export interface CpuProbe {
  /** Milliseconds per loop: the median, fastest and slowest of `samples` tries. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  samples: number;
}

/** About 20 ms on this project's 2-CPU Xeon VM when it is fast. */
const ITERATIONS = 20_000_000;
/** Where each loop's result goes: kept in module state, so V8 cannot drop the work as unused. */
let sink = 0;

function spin(iterations: number): number {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x + i * 7) | 0;
  return x;
}

/** Times the loop `samples` times, `gapMs` apart, after a warm-up that lets V8 optimize it. */
export async function probeCpu(options: { samples?: number; gapMs?: number; iterations?: number } = {}): Promise<CpuProbe> {
  const { samples = 7, gapMs = 100, iterations = ITERATIONS } = options;
  for (let i = 0; i < 20; i++) sink ^= spin(Math.ceil(iterations / 20));
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    const start = performance.now();
    sink ^= spin(iterations);
    times.push(performance.now() - start);
  }
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { medianMs: round(median(times)), minMs: round(Math.min(...times)), maxMs: round(Math.max(...times)), samples };
}

/** e.g. "CPU probe 21 ms (20–34 over 7 tries of the same loop; higher is a slower machine)". */
export function formatCpuProbe(probe: CpuProbe): string {
  return `CPU probe ${probe.medianMs.toFixed(0)} ms (${probe.minMs.toFixed(0)}–${probe.maxMs.toFixed(0)} over ${probe.samples} tries of the same loop; higher is a slower machine)`;
}
