import { describe, expect, it } from 'vitest';
import { formatCpuProbe, probeCpu } from './cpuProbe.js';

describe('probeCpu', () => {
  it('times the same loop several times and orders fastest, median and slowest', async () => {
    const probe = await probeCpu({ samples: 5, gapMs: 1, iterations: 2_000_000 });
    expect(probe.samples).toBe(5);
    expect(probe.minMs).toBeGreaterThan(0);
    expect(probe.minMs).toBeLessThanOrEqual(probe.medianMs);
    expect(probe.medianMs).toBeLessThanOrEqual(probe.maxMs);
  });

  it('measures work: eight times the loop takes longer', async () => {
    const small = await probeCpu({ samples: 3, gapMs: 1, iterations: 1_000_000 });
    const large = await probeCpu({ samples: 3, gapMs: 1, iterations: 8_000_000 });
    expect(large.minMs).toBeGreaterThan(small.minMs);
  });

  it('says what the figure means in a report line', () => {
    expect(formatCpuProbe({ medianMs: 21.4, minMs: 19.96, maxMs: 34.2, samples: 7 })).toBe('CPU probe 21 ms (20–34 over 7 tries of the same loop; higher is a slower machine)');
  });
});
