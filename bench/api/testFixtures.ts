// Shared by the report tests; excluded from the benchmark build.
import type { LoadResult } from './runLoad.js';

export function loadResult(requestsPerSecond: number, p99: number | undefined, extra: Partial<LoadResult> = {}): LoadResult {
  return {
    requests: requestsPerSecond * 10,
    durationSeconds: 10,
    requestsPerSecond,
    status2xx: requestsPerSecond * 10,
    non2xx: 0,
    statusCodes: { '200': requestsPerSecond * 10 },
    errors: 0,
    timeouts: 0,
    latency: p99 === undefined ? undefined : { count: 1, min: 0.1, mean: 1, p50: 1, p90: 2, p99, max: p99 + 1 },
    autocannonP99Ms: Math.floor(p99 ?? 0),
    ...extra,
  };
}

export const machine = { date: '2026-11-24T20:00:00.000Z', nproc: 2, cpuModel: 'Xeon', totalMemoryBytes: 24 * 2 ** 30, nodeVersion: 'v20.20.2', platform: 'linux', osRelease: '6', arch: 'x64', loadAverage: [0.5, 0.25, 0.1] as [number, number, number] };
export const settings = { connections: 50, durationSeconds: 10, warmupSeconds: 2, coldStartRepetitions: 5, omnisipVersion: '0.1.0', gitCommit: 'abc1234', prismVersion: '5.14.2' };
