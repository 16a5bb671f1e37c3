import { valueAtRank } from './percentile.js';

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Collects response times at full precision. autocannon's own histogram stores whole
 * milliseconds (4.9 ms is counted as 4), too coarse for a "p99 < 5 ms" target.
 */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 16);
  private size = 0;

  record(milliseconds: number): void {
    if (this.size === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.size++] = milliseconds;
  }

  get count(): number {
    return this.size;
  }

  /** `undefined` when nothing was recorded: a run with no successful response has no latency. */
  summary(): LatencySummary | undefined {
    if (this.size === 0) return undefined;
    const sorted = this.samples.slice(0, this.size).sort();
    let sum = 0;
    for (const value of sorted) sum += value;
    return {
      count: this.size,
      min: sorted[0]!,
      mean: sum / this.size,
      p50: valueAtRank(sorted, 50),
      p90: valueAtRank(sorted, 90),
      p99: valueAtRank(sorted, 99),
      max: sorted[this.size - 1]!,
    };
  }
}
