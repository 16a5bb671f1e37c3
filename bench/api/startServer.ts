import { performance } from 'node:perf_hooks';
import { freePort, startProcess, waitForHttp, type StartedProcess } from '../lib/index.js';
import { waitForSip } from '../sip-register/waitForSip.js';
import type { ServerUnderTest } from './servers.js';

/** The request that proves a server is up: the first call of the guide's flow. */
export const readinessPath = '/public/agents';
export const benchApiKey = 'bench-ready';

export type StartServerResult =
  | {
      ok: true;
      process: StartedProcess;
      baseUrl: string;
      /** spawn → ready: the first 2xx answer, and for a server with a PBX its first answer to OPTIONS too (the later of the two) */
      readyMs: number;
      /** spawn → first 2xx answer of the API */
      apiMs: number;
      /** spawn → first SIP answer to OPTIONS, for a server with a PBX */
      sipMs?: number;
    }
  | { ok: false; reason: string };

/** How often the readiness probes ask: the resolution of a cold-start time. */
const PROBE_INTERVAL_MS = 2;

/**
 * Spawns `server` on a free loopback port and polls `GET /public/agents` every few milliseconds
 * until it answers 2xx; for a server with a PBX, sends OPTIONS over UDP at the same pace until the
 * PBX answers. The clock starts just before spawn, so `readyMs` is the cold start a user waits.
 */
export async function startServer(server: ServerUnderTest, options: { cwd: string; timeoutMs?: number }): Promise<StartServerResult> {
  const port = await freePort();
  const sipPort = server.pbx ? await freePort() : undefined;
  const baseUrl = `http://127.0.0.1:${port}`;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = performance.now();
  const child = startProcess(server.command, server.args(port, sipPort), { cwd: options.cwd });
  // Stops both probes when the process exits, or when one of them gives up.
  const stop = new AbortController();
  void child.exited.then((exit) => stop.abort(`${server.name} exited (code ${exit.code}, signal ${exit.signal})`));
  const since = () => performance.now() - started;
  const giveUpOnFailure = <T extends { ok: boolean }>(result: T): T & { ms: number } => {
    if (!result.ok) stop.abort('the other probe gave up');
    return { ...result, ms: since() };
  };
  const [api, sip] = await Promise.all([
    waitForHttp(`${baseUrl}${readinessPath}`, { headers: { 'X-Api-Key': benchApiKey }, intervalMs: PROBE_INTERVAL_MS, timeoutMs, signal: stop.signal }).then(giveUpOnFailure),
    sipPort === undefined ? undefined : waitForSip(sipPort, { intervalMs: PROBE_INTERVAL_MS, timeoutMs, signal: stop.signal }).then(giveUpOnFailure),
  ]);
  const failed = !api.ok ? ` did not answer ${readinessPath}: ${api.reason}` : sip && !sip.ok ? `'s PBX did not answer OPTIONS: ${sip.reason}` : undefined;
  if (failed !== undefined) {
    await child.stop();
    const stderr = child.stderrTail().trim();
    return { ok: false, reason: `${server.name}${failed}${stderr ? `\nits stderr:\n${stderr}` : ''}` };
  }
  return { ok: true, process: child, baseUrl, readyMs: Math.max(api.ms, sip?.ms ?? 0), apiMs: api.ms, ...(sip && { sipMs: sip.ms }) };
}
