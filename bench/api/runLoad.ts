import autocannon from 'autocannon';
import { LatencyRecorder, processCpuMs, TaskMeter, type LatencySummary, type OtherTask } from '../lib/index.js';

export interface LoadTarget {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  connections: number;
  /** Measured seconds (ignored when `amount` is set). */
  durationSeconds: number;
  /** Unmeasured seconds first, so JIT and caches are warm on both servers alike; 0 for none. */
  warmupSeconds: number;
  /** Send exactly this many requests instead of running for a duration (tests). */
  amount?: number;
}

export interface LoadResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  status2xx: number;
  non2xx: number;
  /** Status code → count, to tell a 409 cap from a 500. */
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Latency of 2xx answers at full precision (autocannon also counts only 2xx). */
  latency: LatencySummary | undefined;
  /** autocannon's own p99, in whole milliseconds, kept for comparison. */
  autocannonP99Ms: number;
  /**
   * CPU used while the case ran (its warm-up included), in percent of one core: by this process,
   * the load generator, and by the server when its pid was given. A server near 100% is at the
   * limit of its one JavaScript thread; a generator near 100% is at its own, and on two cores it
   * then takes time from the server too.
   */
  cpu?: { generatorPercent: number; serverPercent?: number };
  /**
   * Threads outside this process and the server (kernel threads too) that ran while the case ran,
   * with how long each held a CPU at a time: one that holds a CPU for milliseconds stalls the 50
   * requests in flight as long. Undefined off Linux.
   */
  otherTasks?: OtherTask[];
}

/**
 * Drives `target` with autocannon inside this process (the server under test runs elsewhere) and
 * records every response time itself, because autocannon's histogram floors to whole milliseconds.
 */
export async function runLoad(target: LoadTarget, options: LoadOptions, serverPid?: number): Promise<LoadResult> {
  const recorder = new LatencyRecorder();
  const startedAt = performance.now();
  const generatorStart = process.cpuUsage();
  const serverStartMs = serverPid === undefined ? 0 : processCpuMs(serverPid);
  const tasks = new TaskMeter(serverPid === undefined ? [] : [serverPid]);
  const instance = autocannon({
    url: target.url,
    method: target.method,
    headers: target.headers,
    body: target.body,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds }),
    ...(options.warmupSeconds > 0 ? { warmup: { connections: options.connections, duration: options.warmupSeconds } } : {}),
  });
  // Only the measured run reports here: autocannon gives the warm-up its own emitter.
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) recorder.record(responseTime);
  });
  const result = await instance;
  const wallMs = performance.now() - startedAt;
  const generator = process.cpuUsage(generatorStart);
  const serverMs = serverPid === undefined ? undefined : processCpuMs(serverPid) - serverStartMs;
  const otherTasks = tasks.stop();
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  return {
    requests: result.requests.total,
    durationSeconds: result.duration,
    requestsPerSecond: result.duration > 0 ? result.requests.total / result.duration : 0,
    status2xx: result['2xx'],
    non2xx: result.non2xx,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    latency: recorder.summary(),
    autocannonP99Ms: result.latency.p99,
    ...(wallMs > 0 && {
      cpu: {
        generatorPercent: (100 * (generator.user + generator.system)) / 1000 / wallMs,
        ...(serverMs !== undefined && { serverPercent: (100 * serverMs) / wallMs }),
      },
    }),
    ...(otherTasks && { otherTasks }),
  };
}
