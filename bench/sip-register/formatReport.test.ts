import { describe, expect, it } from 'vitest';
import { formatMarkdown, formatText } from './formatReport.js';
import type { SipRegisterReport } from './runSipRegisterBenchmark.js';

const MB = 2 ** 20;
const run = (successful: number, seconds: number, failed = 0) => ({ attempted: successful + failed, successful, failed, seconds, registrationsPerSecond: successful / seconds, sippExitCode: failed ? 1 : 0 });
const report: SipRegisterReport = {
  machine: { date: '2026-11-24T20:00:00.000Z', nproc: 2, cpuModel: 'Xeon', totalMemoryBytes: 24 * 2 ** 30, nodeVersion: 'v20.20.2', platform: 'linux', osRelease: '6', arch: 'x64', loadAverage: [0.5, 0.4, 0.3] },
  settings: { users: 1000, durationSeconds: 15, rounds: 3, concurrency: 100, connections: 1000, scenario: 'test/sipp/register.xml', transport: 'UDP' },
  registrations: {
    omnisip: {
      rounds: [
        { warmup: run(5000, 2), measured: run(57_000, 15), memory: { rssBytes: 500 * MB, peakRssBytes: 550 * MB } },
        { warmup: run(5000, 2), measured: run(60_000, 15), memory: { rssBytes: 500 * MB, peakRssBytes: 600 * MB } },
      ],
      medianPerSecond: 4000,
      attempted: 117_000,
      successful: 117_000,
      failed: 0,
      peakRssBytes: 600 * MB,
    },
    kamailio: { rounds: [{ warmup: run(5000, 1), measured: run(150_000, 15), memory: undefined }], medianPerSecond: 10_000, attempted: 150_000, successful: 150_000, failed: 0, peakRssBytes: undefined },
    ratio: 0.4,
  },
  connections: [
    { requested: 100, created: 100, online: 100, createSeconds: 0.2, allOnlineSeconds: 0.25, cpuSeconds: 0.3, memoryIdle: { rssBytes: 90 * MB, peakRssBytes: 90 * MB }, memoryOnline: { rssBytes: 95 * MB, peakRssBytes: 96 * MB } },
    { requested: 1000, created: 1000, online: 1000, createSeconds: 1.8, allOnlineSeconds: 2.345, cpuSeconds: 2.1, memoryIdle: { rssBytes: 110 * MB, peakRssBytes: 110 * MB }, memoryOnline: { rssBytes: 150 * MB, peakRssBytes: 160 * MB } },
  ],
  checks: [
    { check: 'omnisip registrations/s vs Kamailio', target: '≥ 50%', measured: '40% (4000 vs 10000)', pass: false },
    { check: 'failed registrations (omnisip)', target: '0', measured: '0', pass: true },
    { check: 'omnisip peak RSS while registering', target: '< 300 MB', measured: '600 MB', pass: false },
    { check: '1000 SIP connections Running/online', target: 'all (the time target is for 5,000: --connections 5000)', measured: '1000 after 2.35 s', pass: true },
    { check: 'emulator RSS with 1000 connections online', target: '< 500 MB', measured: '150 MB', pass: true },
    { check: 'time per connection, 1000 vs 100', target: '≤ 1.5× (linear)', measured: '0.94×', pass: true },
  ],
  pass: false,
};

describe('formatReport', () => {
  it('prints the machine, both servers’ rates and one PASS/MISS line per target', () => {
    const text = formatText(report);
    expect(text).toContain('machine: 2 CPUs (Xeon), 24.0 GiB RAM, Node v20.20.2, linux x64; nproc 2; memory 24.0 GiB');
    expect(text).toMatch(/omnisip\s+4,000\s+8,000\s+3,800 \(15\.0 s\), 4,000 \(15\.0 s\)\s+117,000\s+0\s+600 MB/);
    expect(text).toMatch(/kamailio\s+10,000\s+20,000\s+10,000 \(15\.0 s\)\s+150,000\s+0\s+n\/a/);
    expect(text).toContain('3 rounds per server, alternating, each a fresh process');
    expect(text).toContain('spread of the rounds: omnisip 3,800–4,000 (±3%), kamailio 10,000–10,000 (±0%)');
    expect(text).toMatch(/100\s+0\.20 s\s+0\.25 s\s+2\.50 ms\s+3\.00 ms\s+100\s+90 MB\s+95 MB\s+96 MB/);
    expect(text).toMatch(/1,000\s+1\.80 s\s+2\.35 s\s+2\.35 ms\s+2\.10 ms\s+1,000\s+110 MB\s+150 MB\s+160 MB/);
    expect(text).toContain('MISS  omnisip registrations/s vs Kamailio: 40% (4000 vs 10000) (target ≥ 50%)');
    expect(text).toContain('PASS  time per connection, 1000 vs 100: 0.94× (target ≤ 1.5× (linear))');
  });

  it('writes the table docs/performance.md keeps, with measured numbers and each target’s result', () => {
    const markdown = formatMarkdown(report);
    expect(markdown).toContain('Measured 2026-11-24 on 2 CPUs (Xeon), 24.0 GiB RAM, Node v20.20.2, linux x64 (load average 0.5 at start)');
    expect(markdown).toContain('median of 3 alternating rounds of ~15 s per server');
    expect(markdown).toContain('| authenticated REGISTERs/s (401 + 200) | 4,000 | 10,000 | ≥ 50% of Kamailio | 40.0% MISS |');
    expect(markdown).toContain('| spread of the rounds | 3,800–4,000 (±3%) | 10,000–10,000 (±0%) |  |  |');
    expect(markdown).toContain('| failed registrations | 0 of 117,000 | 0 of 150,000 | 0 | PASS |');
    expect(markdown).toContain('| peak RSS while registering | 600 MB | n/a (main process) | < 300 MB | MISS |');
    expect(markdown).toContain('| 1,000 SIP connections Running/online | 2.35 s |  | all (the time target is for 5,000: --connections 5000) | PASS |');
    expect(markdown).toContain('| emulator RSS with 1,000 online | 150 MB |  | < 500 MB | PASS |');
    expect(markdown).toContain('Connections curve (time to all online ÷ connections): 100: 2.50 ms, 1,000: 2.35 ms.');
  });

  it('gives the ratio to a tenth of a percent, so a miss just under the target does not read as 50%', () => {
    const close = { ...report, registrations: { ...report.registrations, ratio: 5226 / 10_531 } };
    expect(formatText(close)).toContain('omnisip ÷ kamailio (medians): 49.6%');
    expect(formatMarkdown(close)).toContain('| ≥ 50% of Kamailio | 49.6% MISS |');
  });

  it('names the rounds during which another thread held a CPU for a millisecond or more at a time', () => {
    expect(formatText(report)).not.toContain('held a CPU');
    const kdamond = { name: 'kdamond.0', tid: 83, kernel: true, cpuPercent: 1.1, meanSliceMs: 4.3 };
    const brief = { name: 'tokio-rt-worker', tid: 81, kernel: false, cpuPercent: 0.3, meanSliceMs: 0.4 };
    const [first, second] = report.registrations.omnisip.rounds;
    const noisy = { ...report, registrations: { ...report.registrations, omnisip: { ...report.registrations.omnisip, rounds: [{ ...first!, otherTasks: [brief] }, { ...second!, otherTasks: [kdamond, brief] }] } } };
    expect(formatText(noisy)).toContain('threads outside the benchmark (kernel threads too) that held a CPU 1 ms or more at a time during a measured round: omnisip round 2: kdamond.0 4.3 ms\n');
  });

  it('adds where omnisip’s CPU time went when the run was profiled', () => {
    const profile = { file: 'bench/results/profiles/CPU.1.cpuprofile', totalMs: 9400, topFunctions: [{ name: 'randomFillSync', where: 'node:internal/crypto/random:117', percent: 12.7 }], topFiles: [{ where: 'node:dgram', percent: 14.7 }] };
    const profiled = { ...report, registrations: { ...report.registrations, omnisip: { ...report.registrations.omnisip, profile } } };
    expect(formatText(report)).not.toContain('CPU profile');
    expect(formatText(profiled)).toContain('omnisip CPU profile (bench/results/profiles/CPU.1.cpuprofile), 9.4 s sampled, self time:\n   12.7%  randomFillSync  node:internal/crypto/random:117\nby file:\n   14.7%  node:dgram');
  });
});
