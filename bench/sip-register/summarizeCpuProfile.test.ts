import { describe, expect, it } from 'vitest';
import { summarizeCpuProfile, type CpuProfile } from './summarizeCpuProfile.js';

const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
    { id: 2, callFrame: { functionName: 'parseMessage', url: 'file:///work/main/dist/sip/message/parseMessage.js', lineNumber: 26 } },
    { id: 3, callFrame: { functionName: 'doSend', url: 'node:dgram', lineNumber: 685 } },
    { id: 4, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
    { id: 5, callFrame: { functionName: '', url: 'file:///work/main/dist/sip/message/parseMessage.js', lineNumber: 99 } },
  ],
  // Microseconds per sample: parseMessage.js 5 ms (3 + 2 in two functions), dgram 3 ms, GC 2 ms.
  samples: [2, 3, 2, 4, 5, 99],
  timeDeltas: [1500, 3000, 1500, 2000, 2000, 1000],
};

describe('summarizeCpuProfile', () => {
  it('ranks self time by function and by file, as percentages of the sampled time', () => {
    const summary = summarizeCpuProfile(profile);
    expect(summary.totalMs).toBe(10);
    expect(summary.topFunctions).toEqual([
      { name: 'parseMessage', where: 'sip/message/parseMessage.js:27', percent: 30 },
      { name: 'doSend', where: 'node:dgram:686', percent: 30 },
      { name: '(garbage collector)', where: '(native)', percent: 20 },
      { name: '(anonymous)', where: 'sip/message/parseMessage.js:100', percent: 20 },
    ]);
    expect(summary.topFiles).toEqual([
      { where: 'sip/message/parseMessage.js', percent: 50 },
      { where: 'node:dgram', percent: 30 },
      { where: '(native)', percent: 20 },
    ]);
  });

  it('keeps only the largest entries, and is empty for a profile without samples', () => {
    expect(summarizeCpuProfile(profile, 1).topFunctions).toHaveLength(1);
    expect(summarizeCpuProfile({ nodes: profile.nodes, samples: [], timeDeltas: [] })).toEqual({ totalMs: 0, topFunctions: [], topFiles: [] });
  });
});
