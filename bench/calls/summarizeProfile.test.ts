import { describe, expect, it } from 'vitest';
import { summarizeProfile, type CpuProfile } from './summarizeProfile.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('summarizeProfile', () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)') },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('tick', 'file:///repo/dist/media/FramePacer.js', 59) },
      { id: 4, callFrame: frame('(garbage collector)') },
      { id: 5, callFrame: frame('', 'node:internal/dgram', 9) },
    ],
    // A sample weighs the time until the next one (the last, its own delta): 3 gets 30 + 10 ms, 4 and 5 10 ms each, idle is left out.
    samples: [2, 3, 4, 5, 3],
    timeDeltas: [0, 1000, 30, 10, 10],
  };

  it('ranks functions by self time over the busy samples, idle left out, locations relative to the root', () => {
    expect(summarizeProfile(profile, { root: '/repo' })).toEqual([
      { function: 'tick', location: 'dist/media/FramePacer.js:60', selfPercent: expect.closeTo(100 * 40 / 60, 5) },
      { function: '(garbage collector)', location: '', selfPercent: expect.closeTo(100 * 10 / 60, 5) },
      { function: '(anonymous)', location: 'node:internal/dgram:10', selfPercent: expect.closeTo(100 * 10 / 60, 5) },
    ]);
  });

  it('keeps only the top entries, and falls back to hit counts without sample times', () => {
    const counted: CpuProfile = { nodes: [{ id: 1, callFrame: frame('a'), hitCount: 3 }, { id: 2, callFrame: frame('b'), hitCount: 1 }] };
    expect(summarizeProfile(counted, { top: 1 })).toEqual([{ function: 'a', location: '', selfPercent: 75 }]);
  });
});
