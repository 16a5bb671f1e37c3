import { performance } from 'node:perf_hooks';
import { freePort, startProcess, waitForHttp, type StartedProcess } from '../lib/index.js';
import type { ServerUnderTest } from './servers.js';

/** The request that proves a server is up: the first call of the guide's flow. */
export const readinessPath = '/public/agents';
export const benchApiKey = 'bench-ready';

export type StartServerResult =
  | { ok: true; process: StartedProcess; baseUrl: string; /** spawn → first 2xx answer */ readyMs: number }
  | { ok: false; reason: string };

/**
 * Spawns `server` on a free loopback port and polls `GET /public/agents` every few milliseconds
 * until it answers 2xx. The clock starts just before spawn, so `readyMs` is the cold start a user waits.
 */
export async function startServer(server: ServerUnderTest, options: { cwd: string; timeoutMs?: number }): Promise<StartServerResult> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = startProcess(server.command, server.args(port), { cwd: options.cwd });
  const gone = new AbortController();
  void child.exited.then((exit) => gone.abort(`${server.name} exited (code ${exit.code}, signal ${exit.signal})`));
  const ready = await waitForHttp(`${baseUrl}${readinessPath}`, {
    headers: { 'X-Api-Key': benchApiKey },
    intervalMs: 2,
    timeoutMs: options.timeoutMs ?? 60_000,
    signal: gone.signal,
  });
  const readyMs = performance.now() - started;
  if (!ready.ok) {
    await child.stop();
    const stderr = child.stderrTail().trim();
    return { ok: false, reason: `${server.name} did not answer ${readinessPath}: ${ready.reason}${stderr ? `\nits stderr:\n${stderr}` : ''}` };
  }
  return { ok: true, process: child, baseUrl, readyMs };
}
