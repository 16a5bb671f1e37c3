import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalEntry } from '../../emulator/index.js';
import type { ScenarioRun } from '../../emulator/generated/index.js';
import { EmulatorClient } from '../session/EmulatorClient.js';
import { jsonPath } from '../session/jsonPath.js';
import { redactSecrets, ScenarioFailure } from '../session/ScenarioFailure.js';
import { ScenarioSession } from '../session/ScenarioSession.js';
import { interpolate, type Scope } from '../yaml/interpolate.js';
import { startScenarioWorld, type ScenarioWorldOptions } from './startScenarioWorld.js';
import type { PlannedStep, ScenarioPlan } from '../yaml/loadScenario.js';

export interface StepResult {
  /** The step as written (its first line). */
  source: string;
  /** Its line in the scenario file. */
  line: number;
  section: 'setup' | 'steps' | 'teardown';
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
}

export interface ScenarioResult {
  plan: ScenarioPlan;
  status: 'passed' | 'failed' | 'error';
  durationMs: number;
  failure?: ScenarioFailure;
  steps: StepResult[];
  /** The run's journal, NDJSON, when written (`outDir`). */
  journalFile?: string;
  /** The scenario's seed and project. */
  seed: number;
  apiKey: string;
}

export interface RunScenarioOptions {
  /** Run against this emulator (its public and control APIs) instead of a fresh world. */
  baseUrl?: string;
  /** Where the journal (NDJSON) of each run goes. */
  outDir?: string;
  env?: Record<string, string | undefined>;
}

/** A file-name-safe form, at most 80 characters; a longer one ends in a hash of the whole, so two matrix variants of a long name never share a journal file. */
const slug = (text: string) => {
  const full = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return full.length <= 80 ? full : `${full.slice(0, 71)}-${createHash('sha1').update(full).digest('hex').slice(0, 8)}`;
};

/**
 * Runs one scenario plan in a world of its own (or against `baseUrl`): setup, steps, then
 * teardown whatever happened; a failing step stops the steps and carries its `file:line:column`.
 */
export async function runScenario(plan: ScenarioPlan, options: RunScenarioOptions = {}): Promise<ScenarioResult> {
  const started = performance.now();
  const seed = (plan.options.seed as number | undefined) ?? 1;
  const apiKey = (plan.options.apiKey as string | undefined) ?? `scenario-${slug(plan.name)}`;
  const journalFile = options.outDir === undefined ? undefined : join(options.outDir, `${slug(`${plan.file}-${plan.name}`)}.ndjson`);
  if (options.outDir !== undefined) mkdirSync(options.outDir, { recursive: true });
  const world = options.baseUrl === undefined ? await startScenarioWorld({ ...(plan.options as ScenarioWorldOptions), ...(journalFile !== undefined && { journal: journalFile }) }) : undefined;
  const client = new EmulatorClient(options.baseUrl ?? world!.url, apiKey);
  const since = world ? 0 : ((await client.control<{ lastSeq: number }>('GET', '/journal?limit=1')).lastSeq ?? 0);
  const session = new ScenarioSession(client, since);
  const runId = `${slug(plan.file)}-${slug(plan.name)}-${Date.now()}`;
  const startedAt = Date.now();
  if (!world) await reportRun(client, { id: runId, name: plan.name, file: plan.file, status: 'running', startedAt, steps: [] });
  const scope: Scope = {
    steps: new Map(),
    env: options.env ?? process.env,
    inputs: {},
    matrix: plan.matrix ?? {},
    scenario: { key: apiKey, name: plan.name, url: client.baseUrl, seed },
  };
  const steps: StepResult[] = [];
  let failure: ScenarioFailure | undefined;
  let status: ScenarioResult['status'] = 'passed';
  const run = async (section: StepResult['section'], list: PlannedStep[], stopOnFailure: boolean) => {
    for (const step of list) {
      if (failure && stopOnFailure) {
        steps.push({ source: redactSecrets(step.source), line: step.location.line, section, status: 'skipped', durationMs: 0 });
        continue;
      }
      const t = performance.now();
      try {
        await runStep(session, step, { ...scope, inputs: step.inputs });
        steps.push({ source: redactSecrets(step.source), line: step.location.line, section, status: 'passed', durationMs: performance.now() - t });
      } catch (error) {
        steps.push({ source: redactSecrets(step.source), line: step.location.line, section, status: 'failed', durationMs: performance.now() - t });
        const asFailure = error instanceof ScenarioFailure ? error : new ScenarioFailure(error instanceof Error ? error.message : String(error));
        asFailure.location ??= error instanceof ScenarioFailure && step.expectLocation && (error as ScenarioFailure).fromExpectation ? step.expectLocation : step.location;
        asFailure.step ??= redactSecrets(step.source);
        if (!failure) {
          failure = asFailure;
          status = section === 'setup' || !(error instanceof ScenarioFailure) ? 'error' : 'failed';
        }
      }
    }
  };
  try {
    await run('setup', plan.setup, true);
    await run('steps', plan.steps, true);
  } finally {
    await run('teardown', plan.teardown, false);
    if (world) await world.close();
    else if (journalFile) await writeJournal(client, since, journalFile);
  }
  const result: ScenarioResult = { plan, status, durationMs: performance.now() - started, ...(failure && { failure }), steps, ...(journalFile && { journalFile }), seed, apiKey };
  if (!world) await reportRun(client, runOf(runId, startedAt, result));
  return result;
}

/** A result as the emulator's Scenarios view shows it: each step, a failing one with its story and call. */
function runOf(id: string, startedAt: number, r: ScenarioResult): ScenarioRun {
  return {
    id,
    name: r.plan.name,
    file: r.plan.file,
    status: r.status === 'passed' ? 'passed' : 'failed',
    startedAt,
    durationMs: Math.round(r.durationMs),
    steps: r.steps.map((s, index) => ({
      index,
      line: s.line,
      description: s.source.slice(0, 2000),
      status: s.status,
      ...(s.status === 'failed' && r.failure && { message: r.failure.render().slice(0, 20_000), ...(r.failure.details.callId && { callId: r.failure.details.callId }) }),
    })),
  };
}

/**
 * Tells the emulator the scenario ran against (`--base-url`) how it went, for its dashboard. The
 * real API has no such endpoint: a refusal is ignored.
 */
async function reportRun(client: EmulatorClient, run: ScenarioRun): Promise<void> {
  await client.control('POST', '/scenarios/runs', run).catch(() => undefined);
}

/** One step: its values interpolated now (earlier steps' captures are known), then its action. */
async function runStep(session: ScenarioSession, step: PlannedStep, scope: Scope): Promise<void> {
  const raw = interpolate(step.raw, scope);
  const id = typeof raw.id === 'string' ? raw.id : undefined;
  let result: unknown;
  switch (step.action) {
    case 'api':
      result = await session.api({ ...(raw.api as Parameters<ScenarioSession['api']>[0]), ...(raw.expect !== undefined && { expect: raw.expect as never }) });
      break;
    case 'fault':
      result = await session.fault(raw.fault as never);
      break;
    case 'unfault':
      await session.unfault(String(raw.unfault));
      break;
    case 'clock':
      result = await session.clock(raw.clock as never);
      break;
    case 'account':
      result = await session.account(raw.account as never);
      break;
    case 'softphone':
      result = await session.softphone(raw.softphone as never);
      break;
    case 'call':
      result = await session.call(raw.call as never, id);
      break;
    case 'dtmf':
      result = await session.dtmf(raw.dtmf as never);
      break;
    case 'say':
      result = await session.say(raw.say as never);
      break;
    case 'tone':
      result = await session.tone(raw.tone as never);
      break;
    case 'hangup':
      result = await session.hangup(raw.hangup as never);
      break;
    case 'wait':
      result = await session.wait(raw.wait as never);
      break;
    case 'expect':
      await session.expect(raw.expect as never);
      break;
    case 'audio':
      await session.audio(raw.audio as never);
      break;
  }
  if (id === undefined) return;
  const captures: Record<string, unknown> = {};
  const source = step.action === 'api' ? (result as { body: unknown }).body : result;
  for (const [name, path] of Object.entries((raw.capture ?? {}) as Record<string, string>)) {
    const value = jsonPath(source, path);
    if (value === undefined) throw new ScenarioFailure(`capture ${name}: ${path} finds nothing in ${JSON.stringify(source)?.slice(0, 300)}`);
    captures[name] = value;
  }
  scope.steps.set(id, { result, captures });
}

/** Against a running emulator, the scenario's part of its journal, read at the end. */
async function writeJournal(client: EmulatorClient, since: number, file: string): Promise<void> {
  const page = await client.control<{ items: JournalEntry[] }>('GET', `/journal?since=${since}`);
  writeFileSync(file, page.items.map((e) => JSON.stringify(e)).join('\n') + '\n');
}
