import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeReport } from '../cli/replayCommand.js';
import { AgentBehaviour } from '../emulator/listener/agent/AgentBehaviour.js';
import { readJournalFile, replayJournal, runScenarios, scenarioFromJournal } from '../scenarios/index.js';
import type { JournalEntry } from '../emulator/index.js';

const out = mkdtempSync(join(tmpdir(), 'omnisip-replay-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** A scenario's recorded run: the journal its runner wrote. */
async function record(file: string, grep?: string): Promise<JournalEntry[]> {
  const dir = join(out, file.replace(/\W+/g, '-'));
  const [result] = await runScenarios([file], { outDir: dir, ...(grep && { grep }) });
  expect(result!.status).toBe('passed');
  return readJournalFile(readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8'));
}

describe('omnisip replay', () => {
  let handoff: JournalEntry[];
  beforeAll(async () => {
    handoff = await record('scenarios/library/handoff-dtmf.yaml', 'UDP');
  }, 60_000);

  it('replays a recorded handoff with no divergence: every response, SIP message, status and transfer again', async () => {
    const report = await replayJournal(handoff);
    expect(describeReport('handoff.ndjson', report)).toMatch(/no divergence/);
    expect(report.divergence).toBeUndefined();
    expect(report.inputs).toBeGreaterThan(8);
    expect(report.outputs).toBeGreaterThan(60);
    expect(report.external.messages).toBe(0);
  }, 60_000);

  it('against a build whose agent no longer hands off on 0, reports the first divergence: the key it no longer acts on, or the REFER that never came', async () => {
    const dtmf = AgentBehaviour.prototype.dtmf;
    const spy = vi.spyOn(AgentBehaviour.prototype, 'dtmf').mockImplementation(function (this: AgentBehaviour, digit: string, atMs: number) {
      return digit === '0' ? [] : dtmf.call(this, digit, atMs);
    });
    try {
      const report = await replayJournal(handoff, { gateTimeoutMs: 3000 });
      const d = report.divergence!;
      expect(d).toBeDefined();
      const recorded = handoff.find((e) => e.seq === Math.ceil(d.seq))!;
      // The first thing the recording had and the replay did not: the agent acting on 0, and its handoff.
      expect(`${d.stream} ${d.recorded}`).toMatch(/heard DTMF 0|REFER|transfer|transferring/);
      expect(d.replayed).not.toMatch(/REFER|transferring/);
      expect(recorded).toBeDefined();
      expect(describeReport('handoff.ndjson', report)).toMatch(/^first divergence, at journal entry \d+ \(/m);
    } finally {
      spy.mockRestore();
    }
  }, 60_000);

  it('a wrong password run over TCP replays too: 401s, the error log and the fix by PATCH; nothing counted as from outside', async () => {
    const recording = await record('scenarios/library/wrong-password.yaml', 'TCP');
    const report = await replayJournal(recording);
    expect(report.divergence).toBeUndefined();
    expect(report.external.messages).toBe(0);
  }, 60_000);

  it('an unseeded recording (ids drawn at random) replays with its ids matched up', async () => {
    const unseeded = handoff.map((e) => (e.kind === 'emulator.started' ? { ...e, seed: null } : e));
    const report = await replayJournal(unseeded);
    expect(report.divergence).toBeUndefined();
  }, 60_000);
});

describe('omnisip scenario from-journal', () => {
  it('turns a recorded session into a draft scenario that loads and passes', async () => {
    const dir = join(out, 'from-journal');
    const [recorded] = await runScenarios(['scenarios/library/guide-happy-path.yaml'], { outDir: dir });
    expect(recorded!.status).toBe('passed');
    const draft = scenarioFromJournal(join(dir, readdirSync(dir)[0]!));
    expect(draft).toMatch(/^# yaml-language-server: \$schema=/);
    expect(draft).toContain('path: /public/sip-connections');
    expect(draft).toMatch(/\$\{steps\.\w+\.id\}/);
    expect(draft).not.toMatch(/\[secret \d+\]/);
    const file = join(out, 'draft.yaml');
    writeFileSync(file, draft);
    const [result] = await runScenarios([file]);
    expect(result!.failure?.render()).toBeUndefined();
    expect(result!.status).toBe('passed');
  }, 60_000);
});
