/**
 * Reads a positive-integer command-line option of a benchmark; a bad value prints what was wrong
 * and the benchmark's usage, and exits 2.
 *
 * @example
 * const positive = positiveOption('bench:api', usage);
 * const duration = positive('duration', values.duration, 10);
 */
export function positiveOption(bench: string, usage: string) {
  return (name: string, value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) {
      process.stderr.write(`${bench}: --${name} must be a positive integer, got '${value}'\n\n${usage}`);
      process.exit(2);
    }
    return n;
  };
}
