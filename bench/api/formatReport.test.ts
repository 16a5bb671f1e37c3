import { describe, expect, it } from 'vitest';
import { buildReport } from './buildReport.js';
import { loadResult, machine, settings } from './testFixtures.js';
import { formatMarkdown, formatText } from './formatReport.js';

const report = buildReport({
  machine,
  settings,
  coldStart: { omnisip: { samplesMs: [120, 130, 125], medianMs: 125 }, prism: { samplesMs: [900, 1000, 950], medianMs: 950 } },
  cases: [
    { name: 'get-sip-connection', title: 'GET /public/sip-connections/{id}', omnisip: loadResult(21_000, 3.25), prism: loadResult(1_400, 120.5) },
    { name: 'create-agent', title: 'POST /public/agents', omnisip: loadResult(9_000, 7.5), prism: loadResult(1_000, 400) },
  ],
  interference: [
    { phase: 'cold starts', otherCpuPercent: 0.5 },
    { phase: 'omnisip POST /public/agents', otherCpuPercent: 2.25 },
    { phase: 'prism POST /public/agents', otherCpuPercent: undefined },
  ],
});

describe('formatText', () => {
  const text = formatText(report);

  it('heads the report with the date, nproc, memory and Node version', () => {
    expect(text).toContain('2026-11-24T20:00:00.000Z');
    expect(text).toContain('2 CPUs (Xeon), 24.0 GiB RAM, Node v20.20.2');
    expect(text).toContain('50 connections, 2 s warm-up + 10 s per case');
    expect(text).toContain('load average at start 0.5, 0.25, 0.1');
  });

  it("warns when the cold start measured a CLI that is not the build's bundle, and not otherwise", () => {
    const warning = "dist/cli/main.js is not the bundle 'npm run build' makes";
    expect(text).not.toContain(warning);
    expect(formatText({ ...report, settings: { ...report.settings, cliBundled: true } })).not.toContain(warning);
    expect(formatText({ ...report, settings: { ...report.settings, cliBundled: false } })).toContain(warning);
  });

  it('names the Node flags the server ran with under load, and only when there were some', () => {
    expect(text).not.toContain('omnisip under load with');
    const flagged = { ...report, settings: { ...report.settings, serverNodeFlags: ['--single-threaded-gc'] } };
    expect(formatText(flagged)).toContain('omnisip under load with --single-threaded-gc');
    expect(formatMarkdown(flagged)).toContain('npm run bench:api -- --node-flags "--single-threaded-gc"');
  });

  it('shows per case both servers, the ratio and both p99s', () => {
    expect(text).toMatch(/GET \/public\/sip-connections\/\{id\}\s+21,000\s+1,400\s+15\.0×\s+3\.25 ms\s+120\.50 ms\s+0\s+0/);
    expect(text).toMatch(/cold start.*\n.*median of 5\s+125 ms\s+950 ms\s+7\.6×/);
  });

  it('says how much CPU other processes took, and warns when it skews the numbers', () => {
    expect(text).toContain('CPU taken by other processes: cold starts 0.5%, omnisip POST /public/agents 2.3%, prism POST /public/agents n/a');
    expect(text).not.toContain('warning');
    const busy = formatText({ ...report, interference: [{ phase: 'cold starts', otherCpuPercent: 31.2 }] });
    expect(busy).toContain('warning: other processes took up to 31.2% of the CPUs during the run');
  });

  it("gives each server's and autocannon's CPU per case when the run measured them, and nothing when it did not", () => {
    expect(text).not.toContain('CPU during each case');
    const measured = buildReport({
      machine,
      settings,
      coldStart: { omnisip: { samplesMs: [120], medianMs: 120 }, prism: { samplesMs: [900], medianMs: 900 } },
      cases: [{ name: 'create-agent', title: 'POST /public/agents', omnisip: loadResult(9_000, 7.5, { cpu: { generatorPercent: 89.6, serverPercent: 101.2 } }), prism: loadResult(1_000, 400, { cpu: { generatorPercent: 12.4, serverPercent: 99.5 } }) }],
      interference: [],
    });
    const line = 'CPU during each case (warm-up included), % of one core: omnisip POST /public/agents: server 101%, autocannon 90%; prism POST /public/agents: server 100%, autocannon 12%';
    expect(formatText(measured)).toContain(line);
    expect(formatMarkdown(measured)).toContain(`${line}.`);
  });

  it('warns of threads outside the benchmark that held a CPU for a millisecond or more at a time while omnisip was measured', () => {
    expect(text).not.toContain('held a CPU');
    const kdamond = { name: 'kdamond.0', tid: 83, kernel: true, cpuPercent: 0.8, meanSliceMs: 4.2 };
    const brief = { name: 'tokio-rt-worker', tid: 81, kernel: false, cpuPercent: 0.3, meanSliceMs: 0.4 };
    const measured = buildReport({
      machine,
      settings,
      coldStart: { omnisip: { samplesMs: [120], medianMs: 120 }, prism: { samplesMs: [900], medianMs: 900 } },
      cases: [
        { name: 'create-agent', title: 'POST /public/agents', omnisip: loadResult(9_000, 7.5, { otherTasks: [kdamond, brief] }), prism: loadResult(1_000, 400, { otherTasks: [kdamond] }) },
        { name: 'list-agents', title: 'GET /public/agents', omnisip: loadResult(20_000, 4, { otherTasks: [brief] }), prism: loadResult(1_000, 400) },
      ],
      interference: [],
    });
    const line = 'threads outside the benchmark (kernel threads too) that held a CPU 1 ms or more at a time while omnisip was measured, each stalling the requests in flight as long: POST /public/agents: kdamond.0 4.2 ms';
    expect(formatText(measured)).toContain(`warning: ${line}\n`);
    expect(formatMarkdown(measured)).toContain('Threads outside the benchmark (kernel threads too) that held a CPU 1 ms or more at a time while omnisip was measured, each stalling the requests in flight as long: POST /public/agents: kdamond.0 4.2 ms.');
  });

  it('ends with one PASS or MISS line per target', () => {
    expect(text).toContain('PASS  GET /public/sip-connections/{id}: throughput, omnisip ÷ Prism: 15.0× (target ≥ 15×)');
    expect(text).toContain('MISS  POST /public/agents: throughput, omnisip ÷ Prism: 9.0× (target ≥ 15×)');
    expect(text).toContain('MISS  POST /public/agents: omnisip p99: 7.50 ms (target < 5 ms)');
    expect(text.match(/^(PASS|MISS) /gm)).toHaveLength(report.checks.length);
    expect(text).toMatch(/Some targets missed/);
  });
});

describe('formatMarkdown', () => {
  it('gives docs/performance.md a table with the date, the machine and the command to reproduce', () => {
    const md = formatMarkdown(report);
    expect(md).toContain('(2026-11-24)');
    expect(md).toContain('2 CPUs (Xeon), 24.0 GiB RAM, Node v20.20.2, linux x64; other processes');
    expect(md).toContain('other processes took at most 2.3% of the CPUs during any phase');
    expect(md).toContain('`npm run bench:api`');
    expect(md).toContain('| GET /public/sip-connections/{id} | 21,000 | 1,400 | 15.0× | 3.25 ms | 120.50 ms |');
    expect(md).toContain('| median of 5 | 125 ms | 950 ms | 7.6× |');
    expect(md).toContain('- MISS POST /public/agents: omnisip p99: 7.50 ms (target < 5 ms)');
  });
});

describe('the bare-Node floor', () => {
  const withFloor = {
    ...report,
    cases: report.cases.map((c, i) => ({ ...c, floor: loadResult(i === 0 ? 30_000 : 18_000, 2.5) })),
  };

  it('sets the floor beside omnisip in each case, as a share omnisip reaches', () => {
    const text = formatText(withFloor);
    expect(text).toMatch(/GET \/public\/sip-connections\/\{id\}\s+21,000\s+1,400\s+15\.0×[^\n]*30,000\s+2\.50 ms\s+70%/);
    expect(text).toMatch(/POST \/public\/agents\s+9,000[^\n]*18,000\s+2\.50 ms\s+50%/);
    expect(text).toContain("floor: Node's own HTTP server with the least work");
    expect(formatMarkdown(withFloor)).toContain('Bare-Node floor in the same run (Node\'s own HTTP server with the least work that answers the same requests (bench/api/floorServer.ts: parse, store, answer; no validation, faults, journal or events), under the same load in the same run: what Node and this machine cannot go below): GET /public/sip-connections/{id} 30,000 req/s, p99 2.50 ms, omnisip at 70% of it; POST /public/agents 18,000 req/s, p99 2.50 ms, omnisip at 50% of it.');
  });

  it('says nothing of a floor the run skipped (--skip-floor)', () => {
    expect(formatText(report)).not.toContain('floor');
    expect(formatMarkdown(report)).not.toContain('floor');
  });
});
