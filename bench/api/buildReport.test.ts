import { describe, expect, it } from 'vitest';
import { buildReport, type ReportInput } from './buildReport.js';
import { loadResult, machine, settings } from './testFixtures.js';

function input(cases: ReportInput['cases'], coldOmnisip = 100, coldPrism = 1000): ReportInput {
  return {
    machine,
    settings,
    coldStart: { omnisip: { samplesMs: [coldOmnisip], medianMs: coldOmnisip }, prism: { samplesMs: [coldPrism], medianMs: coldPrism } },
    cases,
    interference: [{ phase: 'cold starts', otherCpuPercent: 1 }],
  };
}

const check = (report: ReturnType<typeof buildReport>, text: string) => report.checks.find((c) => c.check.includes(text))!;

describe('buildReport', () => {
  it('passes when omnisip is 15× the throughput, 5× faster to start and under 5 ms at p99', () => {
    const report = buildReport(input([{ name: 'list-agents', title: 'GET /public/agents', omnisip: loadResult(30_000, 4.99), prism: loadResult(2_000, 90) }], 100, 500));
    expect(report.cases[0]!.throughputRatio).toBe(15);
    expect(report.coldStart.speedup).toBe(5);
    expect(report.checks.map((c) => c.pass)).toEqual([true, true, true, true]);
    expect(report.pass).toBe(true);
    expect(report.interference).toEqual([{ phase: 'cold starts', otherCpuPercent: 1 }]);
  });

  it('misses each target just below it', () => {
    const report = buildReport(input([{ name: 'create-agent', title: 'POST /public/agents', omnisip: loadResult(29_800, 5), prism: loadResult(2_000, 90) }], 100, 499));
    expect(check(report, 'cold start')).toMatchObject({ pass: false, measured: '5.0× (499 ms ÷ 100 ms)' });
    expect(check(report, 'throughput')).toMatchObject({ pass: false, measured: '14.9×' });
    expect(check(report, 'p99')).toMatchObject({ pass: false, measured: '5.00 ms' });
    expect(report.pass).toBe(false);
  });

  it('does not count fast failures as throughput: any omnisip non-2xx, error or timeout is a miss', () => {
    const capped = loadResult(50_000, 1, { non2xx: 3, statusCodes: { '200': 10, '409': 3 } });
    const report = buildReport(input([{ name: 'create-agent', title: 'POST /public/agents', omnisip: capped, prism: loadResult(1_000, 90) }]));
    expect(check(report, 'throughput').pass).toBe(true);
    expect(check(report, 'non-2xx')).toMatchObject({ pass: false, measured: '3' });
    expect(report.pass).toBe(false);
  });

  it('misses p99 when omnisip answered nothing successfully', () => {
    const report = buildReport(input([{ name: 'list-agents', title: 'GET /public/agents', omnisip: loadResult(0, undefined), prism: loadResult(1_000, 90) }]));
    expect(check(report, 'p99')).toMatchObject({ pass: false, measured: 'no 2xx answer' });
  });
});
