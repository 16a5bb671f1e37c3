import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, percentile, valueAtRank } from './percentile.js';

describe('percentile (nearest rank)', () => {
  it('returns measured samples, never interpolations', () => {
    const samples = [15, 20, 35, 40, 50];
    expect(percentile(samples, 5)).toBe(15);
    expect(percentile(samples, 30)).toBe(20);
    expect(percentile(samples, 40)).toBe(20);
    expect(percentile(samples, 50)).toBe(35);
    expect(percentile(samples, 100)).toBe(50);
    expect(percentile(samples, 0)).toBe(15);
  });

  it('does not depend on input order and leaves the input untouched', () => {
    const samples = [4, 1, 3, 2];
    expect(median(samples)).toBe(2);
    expect(samples).toEqual([4, 1, 3, 2]);
  });

  it('p99 of 1..1000 ms is 990 ms: one slow request in a hundred shows', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(samples, 99)).toBe(990);
  });

  it('keeps sub-millisecond precision', () => {
    expect(percentile([0.25, 4.9, 4.95], 99)).toBe(4.95);
  });

  it('satisfies the nearest-rank definition for any samples and p', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 200 }), fc.double({ min: 0, max: 100, noNaN: true }), (samples, p) => {
        const value = percentile(samples, p);
        const needed = Math.max(1, Math.ceil((p / 100) * samples.length));
        expect(samples).toContain(value);
        expect(samples.filter((s) => s <= value).length).toBeGreaterThanOrEqual(needed);
        expect(samples.filter((s) => s < value).length).toBeLessThan(needed);
      }),
    );
  });

  it('refuses empty samples and p outside 0..100 (caller bugs)', () => {
    expect(() => percentile([], 50)).toThrow(/no samples/);
    expect(() => percentile([1], 101)).toThrow(/0\.\.100/);
    expect(() => percentile([1], Number.NaN)).toThrow(/0\.\.100/);
    expect(() => valueAtRank([], 50)).toThrow(/no samples/);
  });
});
