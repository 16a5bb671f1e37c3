import { describe, expect, it } from 'vitest';
import { formatRtpCallLine, parseRtpCallLine } from './rtpCallsProtocol.js';

describe('the RTP callers protocol', () => {
  it('reads back what it writes, and ignores anything else', () => {
    const line = { event: 'call', startedAt: 1, endedAt: 2, ok: false, reason: '408 Request Timeout', packetsExpected: 0, packetsLost: 0 } as const;
    expect(parseRtpCallLine(formatRtpCallLine(line).trim())).toEqual(line);
    expect(parseRtpCallLine('{"event":"done"}')).toEqual({ event: 'done' });
    expect(parseRtpCallLine('warning: something')).toBeUndefined();
    expect(parseRtpCallLine('{"event":"other"}')).toBeUndefined();
    expect(parseRtpCallLine('{broken')).toBeUndefined();
  });
});
