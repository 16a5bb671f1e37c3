import { median } from '../lib/index.js';
import type { ServerName, ServerUnderTest } from './servers.js';
import { startServer } from './startServer.js';

export interface ColdStart {
  samplesMs: number[];
  medianMs: number;
}

export type ColdStartResult = { ok: true; byServer: Record<ServerName, ColdStart> } | { ok: false; reason: string };

/**
 * Starts and stops each server `repetitions` times, alternating between them so that any drift of
 * the machine (page cache, another job) falls on both alike. Each process is stopped by its PID
 * before the next one starts: only one server is ever running.
 */
export async function measureColdStarts(servers: Record<ServerName, ServerUnderTest>, repetitions: number, cwd: string): Promise<ColdStartResult> {
  const samples: Record<ServerName, number[]> = { omnisip: [], prism: [] };
  for (let rep = 0; rep < repetitions; rep++) {
    for (const server of Object.values(servers)) {
      const started = await startServer(server, { cwd });
      if (!started.ok) return { ok: false, reason: `cold start ${rep + 1} of ${server.name}: ${started.reason}` };
      await started.process.stop();
      samples[server.name].push(started.readyMs);
    }
  }
  const summarize = (ms: number[]): ColdStart => ({ samplesMs: ms, medianMs: median(ms) });
  return { ok: true, byServer: { omnisip: summarize(samples.omnisip), prism: summarize(samples.prism) } };
}
