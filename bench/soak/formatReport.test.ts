import { describe, expect, it } from 'vitest';
import { buildReport } from './buildReport.js';
import { formatMarkdown, formatText } from './formatReport.js';
import { input, outcome, sample } from './testFixtures.js';

describe('buildReport', () => {
  it('passes a run with no unexpected failure, flat memory, a quiet loop and bounded stores', () => {
    const report = buildReport(input());
    expect(report.checks.map((c) => c.pass)).toEqual([true, true, true, true, true]);
    expect(report.growthPercent.rss).toBeCloseTo(((105.5 - 101.5) / 101.5) * 100, 6);
    expect(report.stores.find((s) => s.name === 'journal.entries')).toMatchObject({ bounded: true, bound: 10_000 });
    expect(report.pass).toBe(true);
  });

  it('misses on a clean call that failed, on growing RSS, on a slow loop and on a store that keeps growing', () => {
    const samples = [10, 20, 30, 40, 50, 60].map((t) => sample(t, 100 + t, { 'calls.records': t * 10 }, t === 40 ? 12 : 1));
    const report = buildReport(input({ samples }, { 'rtp-call': outcome(50, 1, 0, 0, ['408 Request Timeout']) }));
    expect(report.checks[0]).toMatchObject({ pass: false, measured: '1 of 250' });
    expect(report.checks[2]).toMatchObject({ pass: false, measured: '34.8%' });
    expect(report.checks[3]).toMatchObject({ pass: false, measured: '12.00 ms' });
    expect(report.checks[4]).toMatchObject({ pass: false, measured: 'still growing: calls.records' });
    expect(report.pass).toBe(false);
  });

  it('leaves the warm-up samples out of the growth figures', () => {
    const samples = [10, 20, 30, 40, 50, 60].map((t) => sample(t, t < 30 ? 50 + t : 100));
    const report = buildReport(input({ samples, settings: { ...input().settings, warmupSeconds: 30 } }));
    expect(report.growthPercent.rss).toBe(0);
    expect(report.samples).toHaveLength(6);
  });

  it('judges the loop delay only over windows that began after the warm-up', () => {
    // Each sample's delay covers the time since the one before: the window ending at 30 s began at 20 s, inside a 30 s warm-up.
    const samples = [10, 20, 30, 40, 50].map((t) => sample(t, 100, {}, t === 30 ? 40 : t === 50 ? 3 : 1));
    const report = buildReport(input({ samples, settings: { ...input().settings, warmupSeconds: 30 } }));
    expect(report.checks[3]).toMatchObject({ pass: true, measured: '3.00 ms' });
    const slowAfter = buildReport(input({ samples: samples.map((x) => (x.atSeconds === 40 ? sample(40, 100, {}, 11) : x)), settings: { ...input().settings, warmupSeconds: 30 } }));
    expect(slowAfter.checks[3]).toMatchObject({ pass: false, measured: '11.00 ms' });
  });

  it('cannot pass without calls or samples', () => {
    const none = outcome(0, 0);
    const report = buildReport(input({ samples: [sample(10, 100)] }, { 'sipp-call': none, 'rtp-call': none, handoff: none }));
    expect(report.checks[0]!.pass).toBe(false);
    expect(report.checks[2]).toMatchObject({ pass: false, measured: 'fewer than 2 samples' });
    expect(report.checks[4]!.pass).toBe(false);
  });
});

describe('formatText and formatMarkdown', () => {
  it('show the load, the outcomes, every sample, the growth, the stores and one PASS/MISS line per target', () => {
    const report = buildReport(input({}, { 'rtp-call': outcome(50, 1, 5, 1, ['408 Request Timeout']) }));
    const text = formatText(report);
    expect(text).toContain('machine: 2 CPUs (Test CPU), 8.0 GiB RAM, Node v20.20.2, linux x64 (nproc 2)');
    expect(text).toContain('faults: invite-drop 10-15 s, api-503 30-35 s, register-503 50-55 s, invite-drop 70-75 s, api-503 90-95 s, register-503 110-115 s');
    expect(text).toMatch(/rtp-call\s+50\s+1\s+5\s+1\s+408 Request Timeout/);
    expect(text).toMatch(/60 s\s+106 MiB\s+35 MiB\s+30%\s+1\.50 ms\s+40\s+6000\s+50/);
    expect(text).toContain('growth, last third of the samples after the warm-up vs the first: RSS +3.9%');
    expect(text).toMatch(/journal\.entries\s+1500\s+5500\s+6000\s+10000\s+ok: within its bound \(10000\)/);
    expect(text).toContain('MISS  failed calls that should have succeeded (placed with no fault affecting them): 1 of 250 (target 0)');
    expect(text).toContain('Some targets missed');
    const markdown = formatMarkdown(report);
    expect(markdown).toContain('### Soak (2026-12-03)');
    expect(markdown).toContain('Reproduce with `npm run bench:soak -- --minutes 2`.');
    expect(markdown).toContain('| RSS growth, last third of the samples vs the first | < 10% | 3.9% | PASS |');
    // Samples without heap spaces (an older emulator) leave the line out.
    expect(text).not.toContain('V8 heap held by space');
  });

  it('say which heap spaces held more, in MiB, in the text and in the markdown', () => {
    const MiB = 2 ** 20;
    const samples = input().samples.map((s, i) => ({ ...s, heapSpaces: { new_space: { size: 32 * MiB, used: MiB }, old_space: { size: (24 + 4 * i) * MiB, used: 20 * MiB } } }));
    const report = buildReport(input({ samples }));
    const line = `old_space ${(report.heapSpaces[0]!.first / MiB).toFixed(1)} → ${(report.heapSpaces[0]!.last / MiB).toFixed(1)} MiB`;
    expect(report.heapSpaces.map((g) => g.space)).toEqual(['old_space']);
    expect(formatText(report)).toContain(`V8 heap held by space, first third → last: ${line}`);
    expect(formatMarkdown(report)).toContain(`V8 heap held by space, first third → last: ${line}.`);
  });
});
