/** One JSON line on the RTP callers' stdout: a call that ended (or failed to start), or the end. */
export type RtpCallLine =
  | { event: 'call'; startedAt: number; endedAt: number; ok: boolean; reason?: string; packetsExpected: number; packetsLost: number }
  | { event: 'done' };

export function formatRtpCallLine(line: RtpCallLine): string {
  return `${JSON.stringify(line)}\n`;
}

/** A line of the callers' stdout, or undefined for anything else (a stray log line). */
export function parseRtpCallLine(line: string): RtpCallLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { event?: unknown };
    return parsed.event === 'call' || parsed.event === 'done' ? (parsed as RtpCallLine) : undefined;
  } catch {
    return undefined;
  }
}
