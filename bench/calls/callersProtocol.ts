import type { LatencySummary } from '../lib/index.js';

/** What the callers measured over the window, all calls together. */
export interface CallersWindow {
  seconds: number;
  /** Calls up during the whole window. */
  calls: number;
  /** Audio packets the agent's streams should have delivered in the window (RFC 3550 expected) and those missing. */
  packetsExpected: number;
  packetsLost: number;
  /** |D(i-1, i)| of every audio packet received in the window, all calls pooled, in ms. */
  deviationMs: LatencySummary | undefined;
  /** RFC 3550 jitter J at the end of the window: mean and largest over the calls, in ms. */
  jitterMs: { mean: number; max: number };
  /** Frames the callers' own senders skipped because their event loop was late: a busy caller process. */
  callerSkippedFrames: number;
  /** CPU the caller process used, as a share of one core. */
  callerCpu: number;
  /** The caller process's own event-loop delay (1 ms resolution): how much of the deviation is the measuring side's. */
  callerLoopDelayMs: { p99: number; max: number };
}

/** One JSON line on the caller process's stdout. */
export type CallersMessage =
  | {
      event: 'placed';
      answered: number;
      failed: number;
      failures: string[];
      setupMs: LatencySummary | undefined;
      /** The answered calls' RTP ports, where the agent's audio arrives (for the wire capture). */
      rtpPorts: number[];
    }
  | { event: 'window-start' }
  | { event: 'window-end'; window: CallersWindow }
  | { event: 'done'; hungUp: number };

export function formatCallersMessage(message: CallersMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/** A line of the caller process's stdout, or undefined for anything else (a stray log line). */
export function parseCallersMessage(line: string): CallersMessage | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { event?: unknown };
    return ['placed', 'window-start', 'window-end', 'done'].includes(parsed.event as string) ? (parsed as CallersMessage) : undefined;
  } catch {
    return undefined;
  }
}
