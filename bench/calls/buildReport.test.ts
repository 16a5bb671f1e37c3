import { describe, expect, it } from 'vitest';
import { buildReport, lossPercent } from './buildReport.js';
import { highestPassingRate, parseAchievedRate, stepPassed } from './measureSetupRate.js';
import { concurrent, input, step } from './testFixtures.js';

describe('setup-rate steps', () => {
  it('a step passes only with every call successful at 95% of the asked rate or more', () => {
    expect(stepPassed(step(200))).toBe(true);
    expect(stepPassed(step(200, 1))).toBe(false);
    expect(stepPassed(step(200, 0, 180))).toBe(false);
    expect(stepPassed({ ...step(200), successful: 1999 })).toBe(false);
  });

  it('the highest passing rate stops at the first failed step, whatever comes after', () => {
    expect(highestPassingRate([step(50), step(100), step(200), step(300, 5)])).toBe(200);
    expect(highestPassingRate([step(50), step(100, 1), step(200)])).toBe(50);
    expect(highestPassingRate([step(50, 1)])).toBe(0);
  });

  it("reads SIPp's cumulative call rate from its last statistics screen", () => {
    const screen = (periodic: string, cumulative: string) => `  Call Rate              |    ${periodic} cps              |  ${cumulative} cps             \n`;
    expect(parseAchievedRate(`${screen('199.000', '150.100')}...${screen('0.000', '199.820')}`)).toBe(199.82);
    expect(parseAchievedRate('SIPp could not start')).toBe(0);
  });
});

describe('buildReport', () => {
  it('passes when every target is met', () => {
    const report = buildReport(input({ steps: [step(50), step(100), step(200)] }));
    expect(report.checks.map((c) => c.pass)).toEqual([true, true, true, true]);
    expect(report.pass).toBe(true);
    expect(report.setupRate.highestPassingRate).toBe(200);
  });

  it('misses the setup-rate target below 200 calls/s, and each media target on its own', () => {
    expect(buildReport(input({ steps: [step(50), step(100), step(200, 3)] })).checks[0]).toMatchObject({ pass: false, measured: '100 calls/s' });
    expect(buildReport(input({ concurrent: [{ ...concurrent(), answered: 190, failed: 10 }] })).checks[1]).toMatchObject({ pass: false, measured: '190 of 200, 10 failed' });
    expect(buildReport(input({ concurrent: [concurrent({ packetsLost: 300 })] })).checks[2]).toMatchObject({ pass: false, measured: '0.100% (300 of 300000)' });
    const jittery = buildReport(input({ concurrent: [concurrent({ deviationMs: { count: 1, min: 0, mean: 5, p50: 5, p90: 5, p99: 5, max: 5 } })] }));
    expect(jittery.checks[3]).toMatchObject({ pass: false, measured: '5.00 ms' });
    expect(jittery.pass).toBe(false);
  });

  it('holds every target against every run: one jittery run of five is a miss, and the report names the worst', () => {
    const p99 = (ms: number) => ({ count: 1, min: 0, mean: 1, p50: 1, p90: 2, p99: ms, max: ms });
    const runs = [3.1, 4.2, 6.3, 3.9, 2.2].map((ms) => concurrent({ deviationMs: p99(ms) }));
    const report = buildReport(input({ concurrent: runs }));
    expect(report.concurrentRuns).toHaveLength(5);
    expect(report.concurrent).toBe(runs[2]);
    expect(report.checks[3]).toMatchObject({ pass: false, measured: '6.30 ms (worst of 5 runs: 3.10, 4.20, 6.30, 3.90, 2.20 ms)' });
    const lossy = buildReport(input({ concurrent: [concurrent(), concurrent({ packetsLost: 600 })] }));
    expect(lossy.checks[2]).toMatchObject({ pass: false, measured: '0.200% (600 of 300000)' });
    expect(buildReport(input({ concurrent: [concurrent(), { ...concurrent(), answered: 199, failed: 1 }] })).checks[1]!.pass).toBe(false);
  });

  it('leaves the setup-rate check out when that part was skipped', () => {
    const report = buildReport(input({ steps: [] }));
    expect(report.checks.map((c) => c.check)).toEqual(['concurrent calls answered', 'audio loss, agent → callers', 'inter-arrival jitter p99 at the callers']);
    expect(report.pass).toBe(true);
  });

  it('counts no audio at all as 100% loss and a jitter miss, never as a pass', () => {
    const silent = buildReport(input({ concurrent: [concurrent({ packetsExpected: 0, packetsLost: 0, deviationMs: undefined })] }));
    expect(lossPercent({ packetsExpected: 0, packetsLost: 0 })).toBe(100);
    expect(silent.checks.slice(2).map((c) => [c.pass, c.measured])).toEqual([
      [false, '100.000% (0 of 0)'],
      [false, 'no audio received'],
    ]);
  });
});
