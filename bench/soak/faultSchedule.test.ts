import { describe, expect, it } from 'vitest';
import { faultWindows, metFault } from './faultSchedule.js';

describe('faultWindows', () => {
  it('gives a 2-minute smoke run six 5-second windows, the kinds in turn', () => {
    const windows = faultWindows(120);
    expect(windows.map((w) => [w.kind, w.onAt, w.offAt])).toEqual([
      ['invite-drop', 10, 15],
      ['api-503', 30, 35],
      ['register-503', 50, 55],
      ['invite-drop', 70, 75],
      ['api-503', 90, 95],
      ['register-503', 110, 115],
    ]);
  });

  it('gives a 30-minute soak six windows of 75 s', () => {
    const windows = faultWindows(1800);
    expect(windows).toHaveLength(6);
    expect(windows[0]).toEqual({ kind: 'invite-drop', onAt: 150, offAt: 225 });
    expect(windows[5]).toEqual({ kind: 'register-503', onAt: 1650, offAt: 1725 });
  });
});

describe('metFault', () => {
  const windows = faultWindows(120);
  it('counts an attempt that overlaps a window of a fault that affects it, with 2 s of grace after', () => {
    expect(metFault(windows, 'sipp-call', 5, 11)).toBe(true);
    expect(metFault(windows, 'rtp-call', 16, 20)).toBe(true);
    expect(metFault(windows, 'rtp-call', 17.5, 20)).toBe(false);
    expect(metFault(windows, 'handoff', 0, 9)).toBe(false);
  });

  it('does not count a window of a fault that cannot touch the attempt', () => {
    expect(metFault(windows, 'sipp-call', 30, 35)).toBe(false);
    expect(metFault(windows, 'api-other', 28, 36)).toBe(false);
    expect(metFault(windows, 'api-listAgents', 28, 36)).toBe(true);
    expect(metFault(windows, 'sipp-register', 49, 51)).toBe(true);
  });
});
