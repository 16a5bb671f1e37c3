/**
 * Nearest-rank percentile: the smallest sample such that at least `p` percent of the samples are
 * less than or equal to it. It always returns a value that was measured (never an interpolation),
 * which is what "p99 < 5 ms" means to a reader.
 *
 * @example percentile([3, 1, 2, 4], 50) // 2
 */
export function percentile(samples: ArrayLike<number>, p: number): number {
  if (samples.length === 0) throw new RangeError('percentile: no samples; measure something first');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be within 0..100, got ${p}`);
  const sorted = Float64Array.from(samples).sort();
  return valueAtRank(sorted, p);
}

/** The middle sample (nearest rank, p50): for an odd count it is the true median. */
export function median(samples: ArrayLike<number>): number {
  return percentile(samples, 50);
}

/** Same as `percentile`, for samples already sorted ascending (avoids re-sorting large arrays). */
export function valueAtRank(sortedAscending: ArrayLike<number>, p: number): number {
  const n = sortedAscending.length;
  if (n === 0) throw new RangeError('valueAtRank: no samples');
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sortedAscending[rank - 1]!;
}
