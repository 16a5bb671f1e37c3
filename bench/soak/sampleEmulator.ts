import { cpuShare, readProcessUsage, type ProcessUsage } from '../calls/processUsage.js';
import type { SoakSample } from './buildReport.js';
import { describeError, request } from './http.js';

/** Diagnostics fields that are limits, not sizes: they become the bounds of the stores they limit. */
const limits: Record<string, string> = { 'journal.capacity': 'journal.entries', 'journal.maxBytes': 'journal.bytes', 'journal.bodyBudget': 'journal.bodyBytes' };
/** Recordings of ended calls kept by the softphones (emulator/control/SoftphoneFleet.ts). */
const fixedBounds: Record<string, number> = { 'softphones.recordings': 50 };

/**
 * Reads the emulator process: `GET /_emulator/diagnostics` (memory, loop delay since the previous
 * read, handles, stores) and its CPU and RSS from /proc. The first read starts the loop-delay window.
 */
export class EmulatorSampler {
  private previous: { usage: ProcessUsage; at: number } | undefined;
  /** Limits found in the diagnostics, by the store they limit. */
  readonly bounds: Record<string, number> = { ...fixedBounds };

  constructor(
    private readonly apiUrl: string,
    private readonly pid: number,
    private readonly loadStart: number,
  ) {}

  /** The diagnostics, asked up to three times: a connection reset must not end a 30-minute run. */
  private async diagnostics(): ReturnType<typeof request> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(`${this.apiUrl}/_emulator/diagnostics`, 'GET');
      } catch (error) {
        if (attempt === 3) throw new Error(`bench:soak: GET /_emulator/diagnostics failed three times: ${describeError(error)}`);
      }
    }
  }

  async read(): Promise<SoakSample> {
    const response = await this.diagnostics();
    if (response.status !== 200) throw new Error(`bench:soak: GET /_emulator/diagnostics answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
    const d = response.body;
    const usage = readProcessUsage(this.pid);
    const now = Date.now();
    const cpu = this.previous ? cpuShare(this.previous.usage, usage, (now - this.previous.at) / 1000) : 0;
    this.previous = { usage, at: now };
    const stores: Record<string, number> = {};
    for (const [group, values] of Object.entries(d.stores as Record<string, Record<string, number> | null>)) {
      for (const [key, value] of Object.entries(values ?? {})) {
        const name = `${group}.${key}`;
        if (limits[name]) this.bounds[limits[name]] = value;
        else stores[name] = value;
      }
    }
    return {
      atSeconds: (now - this.loadStart) / 1000,
      rssBytes: usage.rssBytes,
      heapUsedBytes: d.memory.heapUsed,
      heapTotalBytes: d.memory.heapTotal,
      externalBytes: d.memory.external,
      ...(d.memory.heapSpaces && { heapSpaces: d.memory.heapSpaces }),
      cpu,
      loopDelayMs: d.eventLoopDelay ? { p50: d.eventLoopDelay.p50, p99: d.eventLoopDelay.p99, max: d.eventLoopDelay.max } : null,
      handles: d.handles.total,
      handlesByType: d.handles.byType,
      stores,
    };
  }
}
