import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from './LatencyRecorder.js';
import { percentile } from './percentile.js';

describe('LatencyRecorder', () => {
  it('has no summary before anything is recorded', () => {
    expect(new LatencyRecorder().summary()).toBeUndefined();
  });

  it('keeps fractional milliseconds that a whole-millisecond histogram would floor', () => {
    const recorder = new LatencyRecorder();
    for (let i = 0; i < 99; i++) recorder.record(1);
    recorder.record(4.9);
    recorder.record(4.9);
    expect(recorder.summary()?.p99).toBe(4.9);
    expect(recorder.summary()?.max).toBe(4.9);
  });

  it('grows past its initial capacity and agrees with percentile() on the same samples', () => {
    const recorder = new LatencyRecorder();
    const samples: number[] = [];
    let seed = 7;
    for (let i = 0; i < 150_000; i++) {
      seed = (seed * 48271) % 2147483647;
      const ms = (seed % 100_000) / 1000;
      samples.push(ms);
      recorder.record(ms);
    }
    const summary = recorder.summary()!;
    expect(summary.count).toBe(150_000);
    expect(summary.p50).toBe(percentile(samples, 50));
    expect(summary.p90).toBe(percentile(samples, 90));
    expect(summary.p99).toBe(percentile(samples, 99));
    expect(summary.min).toBe(samples.reduce((a, b) => Math.min(a, b)));
    expect(summary.max).toBe(samples.reduce((a, b) => Math.max(a, b)));
    expect(summary.mean).toBeCloseTo(samples.reduce((a, b) => a + b, 0) / samples.length, 6);
  });
});
