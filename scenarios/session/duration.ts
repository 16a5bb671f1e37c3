/** `30s`, `10m`, `1h`, `1500ms`, `2.5s`, or a number of milliseconds. */
export type Duration = string | number;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds of a duration as scenario files write them.
 *
 * @example
 * parseDuration('10m'); // 600000
 */
export function parseDuration(value: Duration, what = 'a duration'): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value) : null;
  if (!match) throw new TypeError(`${what} must be a number of ms or a string like 500ms, 30s, 10m or 1h, got ${JSON.stringify(value)}`);
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!);
}

/** `600000` → `10 min`, `1500` → `1.5 s`: for messages. */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 60_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 1000 === 0) return `${Math.round((ms / 60_000) * 100) / 100} min`;
  if (ms >= 1000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms)} ms`;
}
