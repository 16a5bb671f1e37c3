import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ScenarioFailure } from '../session/ScenarioFailure.js';
import { loadScenario, ScenarioFileError, type ScenarioPlan } from '../yaml/loadScenario.js';
import { runScenario, type RunScenarioOptions, type ScenarioResult } from './runScenario.js';

export interface RunScenariosOptions extends RunScenarioOptions {
  /** Scenarios at once, each in its own world. Default 1. */
  parallel?: number;
  /** Only scenarios whose name, file or tags contain this text. */
  grep?: string;
  /** Told of each result as it comes (the pretty reporter prints it). */
  onResult?: (result: ScenarioResult) => void;
}

/** Scenario files under the given files and folders, sorted; fragments (`fragments/`, `*.fragment.yaml`) are not scenarios. */
export function collectScenarioFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) throw new Error(`omnisip scenario: ${path} does not exist`);
    if (stat.isFile()) return void files.push(path);
    for (const name of readdirSync(path).sort()) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) {
        if (name !== 'fragments' && name !== 'node_modules') walk(child);
      } else if (/\.ya?ml$/.test(name) && !/\.fragment\.ya?ml$/.test(name)) files.push(child);
    }
  };
  for (const path of paths) walk(path);
  return files;
}

/** A file that could not be loaded is a result too: an error at its line, so CI reports it. */
function loadError(file: string, error: unknown): ScenarioResult {
  const failure = new ScenarioFailure(error instanceof ScenarioFileError ? error.message.replace(/^[^:]+:\d+:\d+: /, '') : (error as Error).message);
  failure.location = error instanceof ScenarioFileError ? error.location : { file: relative(process.cwd(), file), line: 1, column: 1 };
  const plan: ScenarioPlan = { name: relative(process.cwd(), file), description: '', file: failure.location.file, location: failure.location, tags: [], options: {}, matrix: undefined, setup: [], steps: [], teardown: [] };
  return { plan, status: 'error', durationMs: 0, failure, steps: [], seed: 0, apiKey: '' };
}

/**
 * Runs scenario files: each plan (each matrix row) in a fresh world, `parallel` at once; results
 * in file order whatever order they finish in.
 */
export async function runScenarios(paths: readonly string[], options: RunScenariosOptions = {}): Promise<ScenarioResult[]> {
  const jobs: Array<{ plan: ScenarioPlan } | { error: ScenarioResult }> = [];
  for (const file of collectScenarioFiles(paths)) {
    try {
      for (const plan of loadScenario(file)) {
        const haystack = `${plan.name} ${plan.file} ${plan.tags.join(' ')}`.toLowerCase();
        if (options.grep === undefined || haystack.includes(options.grep.toLowerCase())) jobs.push({ plan });
      }
    } catch (error) {
      jobs.push({ error: loadError(file, error) });
    }
  }
  const results = new Array<ScenarioResult>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < jobs.length; i = next++) {
      const job = jobs[i]!;
      const result = 'error' in job ? job.error : await runScenario(job.plan, options).catch((error: unknown) => loadError(job.plan.file, error));
      results[i] = result;
      options.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel ?? 1, jobs.length)) }, worker));
  return results;
}
