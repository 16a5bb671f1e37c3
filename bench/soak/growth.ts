/** The first and the last third of a series (at least one value each once there are two). */
export function thirds<T>(values: readonly T[]): { first: T[]; last: T[] } | undefined {
  if (values.length < 2) return undefined;
  const k = Math.max(1, Math.floor(values.length / 3));
  return { first: values.slice(0, k), last: values.slice(values.length - k) };
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * How much a series grew from its first third to its last, in percent of the first third's mean:
 * the soak's measure of a leak, robust to one noisy sample at either end. Undefined with fewer
 * than two samples, or when the first third is 0 (nothing to grow from).
 *
 * @example
 * growthPercent([100, 101, 99, 100, 104, 106]); // (105 - 100.5) / 100.5 → 4.48
 */
export function growthPercent(values: readonly number[]): number | undefined {
  const parts = thirds(values);
  if (!parts) return undefined;
  const first = mean(parts.first);
  return first === 0 ? undefined : (100 * (mean(parts.last) - first)) / first;
}

/** What V8 held for one heap space, mean of the first third of the samples and of the last (bytes). */
export interface SpaceGrowth {
  space: string;
  first: number;
  last: number;
}

/**
 * The heap spaces whose held size changed between the first and the last third, largest change
 * first: whether a growing heap is the young generation V8 enlarges under load, old objects kept,
 * or compiled code. Samples without spaces (an older emulator) are left out.
 */
export function heapSpaceGrowth(samples: ReadonlyArray<{ heapSpaces?: Record<string, { size: number }> }>): SpaceGrowth[] {
  const withSpaces = samples.flatMap((s) => (s.heapSpaces ? [s.heapSpaces] : []));
  const parts = thirds(withSpaces);
  if (!parts) return [];
  const names = [...new Set(withSpaces.flatMap((spaces) => Object.keys(spaces)))];
  const sizes = (list: typeof withSpaces, name: string) => mean(list.map((spaces) => spaces[name]?.size ?? 0));
  return names
    .map((space) => ({ space, first: sizes(parts.first, space), last: sizes(parts.last, space) }))
    .filter((g) => g.first !== g.last)
    .sort((a, b) => Math.abs(b.last - b.first) - Math.abs(a.last - a.first));
}

export interface StoreSeries {
  /** e.g. `journal.entries`, `calls.records`, `pbx.absorbers`. */
  name: string;
  values: number[];
  /** The store's own limit, when it has one (the journal's capacity): within it, the store is bounded by construction. */
  bound?: number;
}

export interface StoreVerdict {
  name: string;
  first: number;
  last: number;
  max: number;
  bound?: number;
  bounded: boolean;
  /** Why: within its bound, levelled off, or still growing. */
  why: string;
}

/** A store levels off when its last third is at most this much above its first (plus `slack`): load noise, not growth. */
export const levelOffPercent = 25;
/** Small counts (a few live transactions) move by a few either way; this much is never growth. */
export const levelOffSlack = 10;

/**
 * Whether a per-call or per-message store stayed bounded over the run: within its own limit, or
 * levelled off (its last third no more than 25% + 10 above its first). A store that grows with
 * every call (a registry that keeps every record) fails both in a long enough run.
 */
export function judgeStore(series: StoreSeries): StoreVerdict {
  const parts = thirds(series.values);
  const max = Math.max(0, ...series.values);
  const first = parts ? mean(parts.first) : (series.values[0] ?? 0);
  const last = parts ? mean(parts.last) : (series.values[0] ?? 0);
  const base = { name: series.name, first, last, max, ...(series.bound !== undefined && { bound: series.bound }) };
  if (series.bound !== undefined && max <= series.bound) return { ...base, bounded: true, why: `within its bound (${series.bound})` };
  if (last <= first * (1 + levelOffPercent / 100) + levelOffSlack) return { ...base, bounded: true, why: 'levelled off' };
  return { ...base, bounded: false, why: `still growing: ${first.toFixed(0)} → ${last.toFixed(0)} (first third → last third)` };
}
