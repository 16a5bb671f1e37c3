import { median } from '../lib/index.js';
import type { ServerName, ServerUnderTest } from './servers.js';
import { startServer } from './startServer.js';

export interface ColdStart {
  /** spawn → ready (the API answering, and the PBX answering OPTIONS when the server has one) */
  samplesMs: number[];
  medianMs: number;
  /** spawn → the PBX's first answer to OPTIONS, per sample, for a server with a PBX */
  sipSamplesMs?: number[];
}

export type ColdStartResult = { ok: true; byServer: Record<ServerName, ColdStart> } | { ok: false; reason: string };

/**
 * Starts and stops each server `repetitions` times, alternating between them so that any drift of
 * the machine (page cache, another job) falls on both alike. Each process is stopped by its PID
 * before the next one starts: only one server is ever running.
 */
export async function measureColdStarts(servers: Record<ServerName, ServerUnderTest>, repetitions: number, cwd: string): Promise<ColdStartResult> {
  const samples: Record<ServerName, number[]> = { omnisip: [], prism: [] };
  const sipSamples: Record<ServerName, number[]> = { omnisip: [], prism: [] };
  for (let rep = 0; rep < repetitions; rep++) {
    for (const [name, server] of Object.entries(servers) as [ServerName, ServerUnderTest][]) {
      const started = await startServer(server, { cwd });
      if (!started.ok) return { ok: false, reason: `cold start ${rep + 1} of ${name}: ${started.reason}` };
      await started.process.stop();
      samples[name].push(started.readyMs);
      if (started.sipMs !== undefined) sipSamples[name].push(started.sipMs);
    }
  }
  const summarize = (name: ServerName): ColdStart => ({ samplesMs: samples[name], medianMs: median(samples[name]), ...(sipSamples[name].length > 0 && { sipSamplesMs: sipSamples[name] }) });
  return { ok: true, byServer: { omnisip: summarize('omnisip'), prism: summarize('prism') } };
}
