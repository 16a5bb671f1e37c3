import { describe, expect, it } from 'vitest';
import { processMemory } from './processMemory.js';

describe.skipIf(process.platform !== 'linux')('processMemory', () => {
  it('reads a process’s RSS and peak RSS from /proc, in bytes', () => {
    const memory = processMemory(process.pid)!;
    const rss = process.memoryUsage().rss;
    expect(memory.rssBytes).toBeGreaterThan(rss / 2);
    expect(memory.rssBytes).toBeLessThan(rss * 2);
    expect(memory.peakRssBytes).toBeGreaterThanOrEqual(memory.rssBytes);
  });

  it('is undefined for a process that does not exist', () => {
    // Above Linux's largest pid_max (2^22), so no process can have it.
    expect(processMemory(2 ** 22 + 1)).toBeUndefined();
  });
});
