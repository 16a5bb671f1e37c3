import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface WaitForHttpOptions {
  headers?: Record<string, string>;
  /** Pause between a failed attempt and the next one (default 2 ms): the resolution of a cold-start time. */
  intervalMs?: number;
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Stops waiting, e.g. when the server process has exited. */
  signal?: AbortSignal;
  /** Which answers count as ready (default: any 2xx). */
  isReady?: (status: number) => boolean;
  /** Called before each attempt, numbered from 1. */
  onAttempt?: (attempt: number) => void;
}

export type WaitForHttpResult =
  | { ok: true; attempts: number; status: number }
  | { ok: false; attempts: number; reason: string };

type Attempt = { status: number } | { error: string; timedOut?: true };

/** One GET on a fresh connection: a pooled socket would hide a server that is not listening yet. */
function attempt(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', headers, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.once('error', (error) => resolve({ error: error.message }));
    });
    req.once('timeout', () => {
      resolve({ error: `no answer within ${timeoutMs} ms`, timedOut: true });
      req.destroy();
    });
    req.once('error', (error) => resolve({ error: error.message }));
    req.end();
  });
}

/**
 * Polls `url` until it answers as ready. Not being ready in time is an expected outcome, so it is
 * returned as `{ ok: false, reason }` rather than thrown.
 *
 * @example
 * const ready = await waitForHttp('http://127.0.0.1:4010/public/agents', { headers: { 'X-Api-Key': 'k' } });
 */
export async function waitForHttp(url: string | URL, options: WaitForHttpOptions = {}): Promise<WaitForHttpResult> {
  const target = new URL(url);
  const { headers = {}, intervalMs = 2, timeoutMs = 60_000, signal, isReady = (s) => s >= 200 && s < 300, onAttempt } = options;
  const deadline = performance.now() + timeoutMs;
  let attempts = 0;
  let last = 'no attempt made';
  while (!signal?.aborted) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) return { ok: false, attempts, reason: `${target.href} not ready after ${timeoutMs} ms (last: ${last})` };
    attempts += 1;
    onAttempt?.(attempts);
    const result = await attempt(target, headers, Math.ceil(remaining));
    if ('status' in result && isReady(result.status)) return { ok: true, attempts, status: result.status };
    const outcome = 'status' in result ? `HTTP ${result.status}` : result.error;
    // The deadline clips the final attempt's own timeout; its "no answer within 1 ms" alone would
    // hide what the server said before (e.g. 503 while it warms up), so the reason keeps both.
    const clipped = 'timedOut' in result && performance.now() >= deadline && attempts > 1;
    last = clipped ? `${last}, then no answer before the deadline` : outcome;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return { ok: false, attempts, reason: `stopped waiting for ${target.href}: ${String(signal?.reason)} (last: ${last})` };
}
