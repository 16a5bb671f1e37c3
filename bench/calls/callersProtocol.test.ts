import { describe, expect, it } from 'vitest';
import { formatCallersMessage, parseCallersMessage } from './callersProtocol.js';

describe('callers protocol', () => {
  it('round-trips each message as one JSON line', () => {
    const line = formatCallersMessage({ event: 'placed', answered: 199, failed: 1, failures: ['408 Request Timeout'], setupMs: undefined, rtpPorts: [40000, 40002] });
    expect(line.endsWith('\n')).toBe(true);
    expect(parseCallersMessage(line.trim())).toEqual({ event: 'placed', answered: 199, failed: 1, failures: ['408 Request Timeout'], rtpPorts: [40000, 40002] });
    expect(parseCallersMessage(formatCallersMessage({ event: 'window-start' }).trim())).toEqual({ event: 'window-start' });
  });

  it('ignores stray output: log lines, other JSON, broken JSON', () => {
    expect(parseCallersMessage('(node:123) Warning: something')).toBeUndefined();
    expect(parseCallersMessage('{"event":"other"}')).toBeUndefined();
    expect(parseCallersMessage('{"event":')).toBeUndefined();
  });
});
