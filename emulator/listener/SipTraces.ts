import { redactAuthorization } from '../../sip/digest/index.js';
import type { Endpoint, SipTraceEntry } from '../../sip/index.js';

const hostPort = (e: Endpoint) => `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`;

export interface TraceItem {
  at: number;
  direction: 'in' | 'out';
  transport: string;
  local: string;
  remote: string;
  message: string;
}

/** Each connection keeps this many messages, oldest dropped first. */
export const traceLimit = 500;

/**
 * The SIP trace of every connection's listener (`GET /_emulator/connections/{id}/sip-trace`).
 * Digest responses are redacted as they are recorded, so no trace ever holds them.
 */
export class SipTraces {
  private readonly traces = new Map<string, TraceItem[]>();

  /** Appends to an open trace; messages of a deleted connection (a late unregister) are not kept. */
  record(connectionId: string, entry: SipTraceEntry): void {
    const items = this.traces.get(connectionId);
    if (!items) return;
    items.push({
      at: entry.at,
      direction: entry.direction,
      transport: entry.remote.protocol,
      local: hostPort(entry.local),
      remote: hostPort(entry.remote),
      message: redactAuthorization(entry.data.toString('utf8')),
    });
    if (items.length > traceLimit) items.splice(0, items.length - traceLimit);
  }

  get(connectionId: string): TraceItem[] | undefined {
    return this.traces.get(connectionId)?.slice();
  }

  /** A connection that exists but has not sent anything yet has an empty trace, not none. */
  open(connectionId: string): void {
    if (!this.traces.has(connectionId)) this.traces.set(connectionId, []);
  }

  delete(connectionId: string): void {
    this.traces.delete(connectionId);
  }

  clear(): void {
    this.traces.clear();
  }
}
