/** Root-mean-square level in dBFS, where 0 dBFS is an RMS of full scale (a full-scale sine reads -3 dBFS). */
export function rmsDbfs(samples: Int16Array): number {
  if (samples.length === 0) return -Infinity;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return sumOfSquaresDbfs(sum, samples.length);
}

/** `rmsDbfs` of `samples` samples whose squares add up to `sum` (see `G711Codec.sumOfSquares`). */
export function sumOfSquaresDbfs(sum: number, samples: number): number {
  if (samples === 0) return -Infinity;
  return 20 * Math.log10(Math.sqrt(sum / samples) / 32768);
}
