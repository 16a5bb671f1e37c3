/** Milliseconds as people read them: `850 ms`, `12.3 s`, `4 min 5 s`, never `1799.4858939999976 ms`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

/** A ms timestamp as an ISO time of day with milliseconds, e.g. `12:00:05.123`. */
export function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/** A ms timestamp as a full ISO date and time, to the second. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Seconds since the epoch (the public API's `created`, `lastRefreshed`) as ISO. */
export const unixTime = (seconds: number): string => isoTime(seconds * 1000);

export function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(part === 0 ? 0 : 2)}%` : '—';
}
