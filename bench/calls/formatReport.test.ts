import { describe, expect, it } from 'vitest';
import { buildReport } from './buildReport.js';
import { formatMarkdown, formatText } from './formatReport.js';
import { concurrent, input, machine, step } from './testFixtures.js';

describe('formatText', () => {
  it('shows each step, the concurrent-call window, and one PASS/MISS line per target', () => {
    const text = formatText(buildReport(input()));
    expect(text).toContain('machine: 2 CPUs (Test CPU), 8.0 GiB RAM, Node v20.20.2, linux x64 (nproc 2)');
    expect(text).toMatch(/300 calls\/s for 10 s\s+3000\s+2988\s+12\s+250\.0\s+75%\s+200 MiB\s+FAILED/);
    expect(text).toContain('highest rate with 0 failed calls: 200 calls/s');
    expect(text).toContain('at the callers: loss 0.010% (30 of 300000); |D| p50 0.80 ms, p99 4.20 ms, max 12.00 ms');
    expect(text).toContain('emulator process: CPU 60% of a core (0.300% per call), RSS 300 MiB (peak 320 MiB)');
    expect(text).toContain('PASS  inter-arrival jitter p99 at the callers: 4.20 ms (target < 5 ms)');
    expect(text).not.toContain('warning: the machine was busy');
    expect(text).not.toContain('every step passed');
  });

  it('says when every step passed, so that the highest rate reads as a floor', () => {
    const report = buildReport(input({ steps: [step(50), step(100), step(200), step(300)] }));
    expect(formatText(report)).toContain('highest rate with 0 failed calls: 300 calls/s (every step passed: the limit is higher');
    expect(formatMarkdown(report)).toContain('| 300 calls/s (highest step tried) | PASS |');
  });

  it('warns when the machine was busy at the start, and lists profiles when there are some', () => {
    const report = buildReport(input({ machine: { ...machine, loadAverage: [3.1, 2, 1] }, profiles: [{ part: '200 concurrent calls', file: 'p.cpuprofile', top: [{ function: 'tick', location: 'dist/media/FramePacer.js:60', selfPercent: 12.34 }] }] }));
    const text = formatText(report);
    expect(text).toContain('warning: the machine was busy at start (1-minute load average 3.1 on 2 CPUs)');
    expect(text).toContain("where the emulator's CPU went (200 concurrent calls, p.cpuprofile):\n   12.3%  tick  dist/media/FramePacer.js:60");
  });

  it('prints every run and the spread when there were several, and the load of other processes', () => {
    const p99 = (ms: number) => ({ count: 1, min: 0, mean: 1, p50: 1, p90: 2, p99: ms, max: ms });
    const runs = [3.1, 4.2, 4.6].map((ms) => ({ ...concurrent({ deviationMs: p99(ms) }), otherLoadPercent: 12, idleTimerLatenessMs: { count: 1500, min: 0, mean: 0.3, p50: 0.2, p90: 0.5, p99: 0.9, max: 2 } }));
    const text = formatText(buildReport(input({ steps: [], concurrent: runs })));
    expect(text).toContain('call setup rate: skipped (--concurrent-only)');
    expect(text).toMatch(/run 3\s+1\.00 ms\s+4\.60 ms\s+4\.60 ms\s+0\.010%\s+60%\s+0\.300%\s+n\/a\s+30%\s+3\.00 ms\s+12%\s+0\.90 ms\s+n\/a/);
    const waited = formatText(buildReport(input({ steps: [], concurrent: runs.map((r, i) => ({ ...r, runQueueWait: { emulator: 0.037 + i / 100, callers: 0.048 } })) })));
    expect(waited).toMatch(/run 2\s.*\s0\.90 ms\s+4\.7%\/4\.8%\s/);
    // Below the table, the worst run's (run 3).
    expect(waited).toContain('  waiting for a CPU while ready to run (main threads): emulator 5.7%, callers 4.8% of the window');
    expect(text).not.toContain('waiting for a CPU while ready to run');
    expect(text).toContain('spread over 3 runs: jitter p99 min 3.10 ms, median 4.20 ms, max 4.60 ms; emulator CPU min 60%, median 60%, max 60% of a core');
    expect(text).toContain('concurrent calls, the run with the highest jitter p99: 200 of 200 answered');
    expect(text).toContain('other processes on the machine: 12% of all CPUs during the window; a 20 ms timer in the idle benchmark process fired late by p50 0.20 ms, p99 0.90 ms, max 2.00 ms');
    const md = formatMarkdown(buildReport(input({ steps: [], concurrent: runs })));
    expect(md).toContain('| Inter-arrival jitter p99 at the callers | < 5 ms | 4.60 ms (worst of 3 runs: 3.10 ms, 4.20 ms, 4.60 ms) | PASS |');
    expect(md).not.toContain('Call setup rate, 0 failed calls');
  });

  it('names the threads outside the benchmark that held a CPU for milliseconds at a time, and warns of them', () => {
    const kdamond = { name: 'kdamond.0', tid: 83, kernel: true, cpuPercent: 0.8, meanSliceMs: 4.1 };
    const worker = { name: 'tokio-rt-worker', tid: 81, kernel: false, cpuPercent: 0.4, meanSliceMs: 0.3 };
    const noisy = { ...concurrent({ deviationMs: { count: 1, min: 0, mean: 1, p50: 1, p90: 2, p99: 7.2, max: 20 } }), otherTasks: [kdamond, worker] };
    const quiet = { ...concurrent(), otherTasks: [worker] };
    const text = formatText(buildReport(input({ steps: [], concurrent: [quiet, noisy] })));
    expect(text).toMatch(/run 1 .*\s+none\n/);
    expect(text).toMatch(/run 2 .*\s+kdamond\.0 4\.1 ms\n/);
    // The worst run is the one described below the table.
    expect(text).toContain('other threads that ran (kernel threads too): kdamond.0 (kernel thread) 0.8% of a CPU, 4.10 ms a slice; tokio-rt-worker 0.4%, 0.30 ms a slice');
    expect(text).toContain('warning: kdamond.0 4.1 ms: another thread held a CPU that long at a time during the window');
    expect(formatMarkdown(buildReport(input({ steps: [], concurrent: [quiet, noisy] })))).toContain('| Other threads holding a CPU 1 ms or more at a time | | none; kdamond.0 4.1 ms | |');
    expect(text).not.toContain('scheduling priority');
    const calm = formatText(buildReport(input({ concurrent: [quiet] })));
    expect(calm).not.toContain('warning: ');
    expect(formatText(buildReport(input()))).toContain('other threads that ran (kernel threads too): n/a (no /proc)');
  });
});

describe('--priority', () => {
  it('says the priority asked for and the one each process ran at, and how to reproduce it', () => {
    const report = buildReport(input({ settings: { ...input().settings, priority: -10 }, concurrent: [{ ...concurrent(), scheduling: { emulator: 'nice -10', callers: 'nice 0' } }] }));
    const text = formatText(report);
    expect(text).toContain('each a separate process; emulator and callers asked to run at scheduling priority -10 (--priority)');
    // What /proc said, not what was asked: here the callers could not get it.
    expect(text).toContain('  scheduling during the window: emulator nice -10, callers nice 0');
    const realtime = formatText(buildReport(input({ settings: { ...input().settings, priority: 'realtime' }, concurrent: [{ ...concurrent(), scheduling: { emulator: 'SCHED_FIFO 10', callers: 'SCHED_FIFO 10' } }] })));
    expect(realtime).toContain('asked to run at scheduling priority realtime (--priority)');
    expect(realtime).toContain('  scheduling during the window: emulator SCHED_FIFO 10, callers SCHED_FIFO 10');
    expect(formatMarkdown(report)).toContain('Reproduce with `npm run bench:calls -- --priority -10` (emulator and callers at scheduling priority -10).');
  });
});

describe('--pin', () => {
  it('says where each process ran, and how to reproduce it with the priority too', () => {
    const pinned = buildReport(input({ settings: { ...input().settings, pin: { emulator: 0, callers: 1 } }, concurrent: [{ ...concurrent(), scheduling: { emulator: 'nice 0 on CPU 0', callers: 'nice 0 on CPU 1' } }] }));
    const text = formatText(pinned);
    expect(text).toContain('each a separate process; for concurrent calls, the emulator pinned to CPU 0 and the callers to CPU 1 (--pin)');
    expect(text).toContain('  scheduling during the window: emulator nice 0 on CPU 0, callers nice 0 on CPU 1');
    expect(formatMarkdown(pinned)).toContain('Reproduce with `npm run bench:calls -- --pin` (the emulator on CPU 0 and the callers on CPU 1).');
    const both = buildReport(input({ settings: { ...input().settings, pin: { emulator: 2, callers: 3 }, priority: -10 } }));
    expect(formatMarkdown(both)).toContain('Reproduce with `npm run bench:calls -- --priority -10 --pin` (emulator and callers at scheduling priority -10; the emulator on CPU 2 and the callers on CPU 3).');
    expect(formatText(buildReport(input()))).not.toContain('--pin');
  });
});

describe('formatMarkdown', () => {
  it('is the table docs/performance.md keeps: date, machine, reproduce command, one row per target', () => {
    const md = formatMarkdown(buildReport(input({ steps: [step(50), step(100), step(200), step(300, 12, 250)] })));
    expect(md).toContain('### Calls through the built-in PBX (2026-11-24)');
    expect(md).toContain('Reproduce with `npm run bench:calls`.');
    expect(md).toContain('| Call setup rate, 0 failed calls | ≥ 200 calls/s | 200 calls/s | PASS |');
    expect(md).toContain('| Inter-arrival jitter p99 at the callers | < 5 ms | 4.20 ms | PASS |');
    expect(md).toContain('300/s 12 failed (CPU 75%, peak RSS 200 MiB)');
  });
});

describe('the bare-Node floor', () => {
  const floor = { sockets: 200, seconds: 10, cpu: 0.25, peerCpu: 0.24, sentPerSecond: 10_001, receivedPerSecond: 9_998 };

  it('divides the emulator CPU of each run by the floor measured in the same run', () => {
    const runs = [0.5, 0.375].map((cpu) => ({ ...concurrent(), emulator: { cpu, rssBytes: 1, peakRssBytes: 1 } }));
    const report = buildReport(input({ steps: [], concurrent: runs, floor }));
    const text = formatText(report);
    expect(text).toMatch(/run 1\s+[^\n]*50%\s+0\.250%\s+2\.00×/);
    expect(text).toMatch(/run 2\s+[^\n]*38%\s+0\.188%\s+1\.50×/);
    expect(text).toContain('bare-Node floor for the same packets (two plain Node processes, 200 UDP sockets a side, 50 packets/s each way per socket, 10 sockets a millisecond as the pacer sends; no RTP, no audio): 25% of a core (10001 packets/s sent, 9998 received); the emulator used 2.00× that, 25% of a core over it');
    expect(formatMarkdown(report)).toContain('| Bare-Node floor for the same packets (no RTP, no audio) | | 25% of a core; the emulator ÷ floor: 2.00×, 1.50× | |');
  });

  it('says nothing of a floor that was not measured (--floor 0)', () => {
    const report = buildReport(input());
    expect(formatText(report)).not.toContain('bare-Node floor');
    expect(formatMarkdown(report)).not.toContain('Bare-Node floor');
  });
});

describe('the wire (--wire)', () => {
  const wired = (p99AtCallers: number, p99OnWire: number) => ({
    ...concurrent({ deviationMs: { count: 299_800, min: 0, mean: 1, p50: 0.8, p90: 2, p99: p99AtCallers, max: 12 } }),
    wire: { deviationMs: { count: 299_600, min: 0, mean: 0.9, p50: 0.6, p90: 1.5, p99: p99OnWire, max: 9 }, packets: 300_000, streams: 200 },
  });

  it("sets the emulator's jitter on the wire beside the callers', with what the callers added", () => {
    const report = buildReport(input({ steps: [], settings: { ...input().settings, wire: true }, concurrent: [wired(4.2, 3.1), wired(6.5, 4.4)] }));
    const text = formatText(report);
    expect(text).toMatch(/p99 on the wire/);
    expect(text).toMatch(/run 1\s+0\.80 ms\s+4\.20 ms\s+12\.00 ms\s+3\.10 ms\s+0\.010%/);
    expect(text).toMatch(/run 2\s+0\.80 ms\s+6\.50 ms\s+12\.00 ms\s+4\.40 ms\s+0\.010%/);
    expect(text).toContain('on the wire, jitter p99 min 3.10 ms');
    expect(text).toContain("  on the wire (lo, stamped by the kernel as the emulator sent; dumpcap): |D| p50 0.60 ms, p99 4.40 ms, max 9.00 ms, 300000 packets in 200 streams; the callers' p99 is 2.10 ms above it");
    const md = formatMarkdown(report);
    expect(md).toContain("| Inter-arrival jitter p99 on the wire (the emulator's sends, kernel timestamps on lo) | | 4.40 ms (runs: 3.10 ms, 4.40 ms) | |");
    expect(md).toContain('Reproduce with `npm run bench:calls -- --wire` (RTP also captured on lo).');
    // The target is still held at the callers.
    expect(report.checks.find((c) => c.check.startsWith('inter-arrival jitter'))).toMatchObject({ pass: false, measured: expect.stringContaining('6.50 ms') });
  });

  it('says nothing of the wire when it was not captured', () => {
    const report = buildReport(input());
    expect(formatText(report)).not.toContain('on the wire');
    expect(formatMarkdown(report)).not.toContain('on the wire');
  });
});
