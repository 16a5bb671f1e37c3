import { getHeapSpaceStatistics } from 'node:v8';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Diagnostics } from '../generated/index.js';
import type { EmulatorControlParts } from './EmulatorControl.js';

/** The delay monitor's timer period: the histogram holds whole periods, so this is taken off every value. */
const RESOLUTION_MS = 10;

/**
 * How late the event loop runs a timer, over the window since the previous read. Started by the
 * first read (a world nobody asks pays nothing); its timer does not keep the process alive.
 */
export class EventLoopDelayWindow {
  private histogram: IntervalHistogram | undefined;
  private since = 0;

  read(): Diagnostics['eventLoopDelay'] {
    const now = performance.now();
    const histogram = this.histogram;
    if (!histogram) {
      this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      this.histogram.enable();
      this.since = now;
      return null;
    }
    // Node records the time between two ticks of its timer, so a loop that is never late reads RESOLUTION_MS.
    const late = (ns: number) => (Number.isFinite(ns) && histogram.count > 0 ? Math.max(0, ns / 1e6 - RESOLUTION_MS) : 0);
    const window = { windowMs: now - this.since, samples: histogram.count, p50: late(histogram.percentile(50)), p99: late(histogram.percentile(99)), max: late(histogram.max), mean: late(histogram.mean) };
    histogram.reset();
    this.since = now;
    return window;
  }
}

/** Open handles and requests by type, as `process.getActiveResourcesInfo()` names them. */
function activeHandles(): Diagnostics['handles'] {
  const byType: Record<string, number> = {};
  const resources = process.getActiveResourcesInfo();
  for (const type of resources) byType[type] = (byType[type] ?? 0) + 1;
  return { total: resources.length, byType };
}

/** The figures of `GET /_emulator/diagnostics`: memory, loop delay, handles, and each store's size. Nothing identifies a caller. */
export function readDiagnostics(parts: EmulatorControlParts, loop: EventLoopDelayWindow): Diagnostics {
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const heapSpaces: Diagnostics['memory']['heapSpaces'] = {};
  for (const space of getHeapSpaceStatistics()) heapSpaces[space.space_name] = { size: space.space_size, used: space.space_used_size };
  return {
    wall: Date.now(),
    uptimeSeconds: process.uptime(),
    memory: { rss, heapTotal, heapUsed, external, arrayBuffers, heapSpaces },
    eventLoopDelay: loop.read(),
    handles: activeHandles(),
    stores: {
      journal: parts.journal.usage(),
      calls: { ...parts.calls.usage(), agentCalls: parts.agentCalls.size },
      listeners: parts.listeners.usage(),
      softphones: parts.sip?.softphones.usage() ?? null,
      pbx: parts.sip?.pbx.usage() ?? null,
    },
  };
}
