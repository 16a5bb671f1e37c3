import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeReport } from '../cli/replayCommand.js';
import { prettyLine, readJournalFile, replayJournal, runScenarios } from '../scenarios/index.js';

const out = mkdtempSync(join(tmpdir(), 'omnisip-library-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the scenario library', () => {
  it('every scenario of scenarios/library passes, each in its own world, two at once', async () => {
    const results = await runScenarios(['scenarios/library'], { parallel: 2, outDir: out });
    const failed = results.filter((r) => r.status !== 'passed');
    expect(failed.map(prettyLine).join('\n')).toBe('');
    // 38 files; the wrong password and the handoff by DTMF run twice (over UDP and over TCP), the
    // PBX's REGISTER refusal twice (405, 501), its B2BUA REFER twice (no NOTIFY, no final NOTIFY).
    expect(results.length).toBeGreaterThanOrEqual(42);
    const slowest = [...results].sort((a, b) => b.durationMs - a.durationMs)[0]!;
    console.log(`scenario library: ${results.length} scenarios, slowest '${slowest.plan.name}' ${(slowest.durationMs / 1000).toFixed(2)} s`);
  }, 180_000);

  it('every recorded run replays with no divergence (omnisip replay on each journal the runner wrote)', async () => {
    const files = readdirSync(out).filter((f) => f.endsWith('.ndjson'));
    expect(files.length).toBeGreaterThanOrEqual(42);
    const diverged: string[] = [];
    const queue = [...files];
    const worker = async () => {
      for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
        const report = await replayJournal(readJournalFile(readFileSync(join(out, file), 'utf8')));
        if (report.divergence) diverged.push(describeReport(file, report));
      }
    };
    await Promise.all([worker(), worker()]);
    expect(diverged.join('\n')).toBe('');
  }, 300_000);
});
