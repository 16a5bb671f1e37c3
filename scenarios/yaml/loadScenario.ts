import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { SourceLocation } from '../session/ScenarioFailure.js';
import { substituteInputs } from './interpolate.js';
import { validateScenario } from './validateScenario.js';

/** The actions a step may have, exactly one each. */
export const ACTIONS = ['api', 'fault', 'unfault', 'clock', 'account', 'softphone', 'call', 'dtmf', 'say', 'tone', 'hangup', 'wait', 'expect', 'audio', 'include'] as const;
export type Action = (typeof ACTIONS)[number];

/** A step as written, with where it was written and the values it may read. */
export interface PlannedStep {
  action: Exclude<Action, 'include'>;
  /** The step's object as written (values interpolated when it runs). */
  raw: Record<string, unknown>;
  /** Where its action is written (for an api step with `expect`, `expectLocation` is where a failed expectation points). */
  location: SourceLocation;
  expectLocation?: SourceLocation;
  /** The step's first line as written, for messages. */
  source: string;
  /** `${inputs.x}` of the fragment it came from. */
  inputs: Record<string, unknown>;
}

export interface ScenarioPlan {
  name: string;
  description: string;
  file: string;
  location: SourceLocation;
  tags: string[];
  options: Record<string, unknown>;
  /** The matrix row this plan runs with, if any (`${matrix.x}`). */
  matrix: Record<string, unknown> | undefined;
  setup: PlannedStep[];
  steps: PlannedStep[];
  teardown: PlannedStep[];
}

/** A scenario file that cannot run: where and why. */
export class ScenarioFileError extends Error {
  constructor(
    message: string,
    readonly location: SourceLocation,
  ) {
    super(`${location.file}:${location.line}:${location.column}: ${message}`);
    this.name = 'ScenarioFileError';
  }
}

interface ParsedFile {
  file: string;
  text: string;
  doc: Document;
  lines: LineCounter;
  data: Record<string, unknown>;
}

/** Where a path of keys and indexes was written in a parsed file. */
function locate(parsed: ParsedFile, path: ReadonlyArray<string | number>): SourceLocation {
  for (let n = path.length; n >= 0; n--) {
    const node = parsed.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      const { line, col } = parsed.lines.linePos(node.range[0]);
      return { file: parsed.file, line, column: col };
    }
  }
  return { file: parsed.file, line: 1, column: 1 };
}

/** Where a key of a mapping is written (the key itself, not its value). */
function keyLocation(parsed: ParsedFile, mapPath: ReadonlyArray<string | number>, key: string): SourceLocation {
  const map = parsed.doc.getIn(mapPath, true) as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | undefined;
  const pair = map?.items?.find((item) => item.key?.value === key);
  if (pair?.key?.range) {
    const { line, col } = parsed.lines.linePos(pair.key.range[0]);
    return { file: parsed.file, line, column: col };
  }
  return locate(parsed, [...mapPath, key]);
}

function parseFile(path: string, display: string): ParsedFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScenarioFileError(`cannot read the scenario file: ${(error as Error).message}`, { file: display, line: 1, column: 1 });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const { line, col } = lines.linePos(first.pos[0]);
    throw new ScenarioFileError(`not valid YAML: ${first.message.split('\n')[0]}`, { file: display, line, column: col });
  }
  const data = doc.toJS() as unknown;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new ScenarioFileError('a scenario file holds a mapping with name, description and steps', { file: display, line: 1, column: 1 });
  return { file: display, text, doc, lines, data: data as Record<string, unknown> };
}

/**
 * Reads a scenario file: YAML with positions, checked against `scenario.schema.json`, its
 * `include`s inlined (with their inputs), one plan per `matrix` row. Every error names its
 * `file:line:column`.
 *
 * @example
 * const plans = loadScenario('scenarios/library/wrong-password.yaml');
 */
export function loadScenario(path: string, cwd = process.cwd()): ScenarioPlan[] {
  const display = relative(cwd, resolve(path)) || path;
  const parsed = parseFile(path, display);
  const problems = validateScenario(parsed.data);
  if (problems.length) throw new ScenarioFileError(problems[0]!.message, locate(parsed, problems[0]!.path));
  const { data } = parsed;
  const inputs = (data.inputs ?? {}) as Record<string, unknown>;
  const expand = (section: string) => expandSteps(parsed, section, resolve(path), inputs, []);
  const base = {
    name: data.name as string,
    description: data.description as string,
    file: display,
    location: locate(parsed, ['name']),
    tags: (data.tags ?? []) as string[],
    options: (data.options ?? {}) as Record<string, unknown>,
    setup: expand('setup'),
    steps: expand('steps'),
    teardown: expand('teardown'),
  };
  const matrix = data.matrix as Array<Record<string, unknown>> | undefined;
  if (!matrix) return [{ ...base, matrix: undefined }];
  return matrix.map((row) => ({ ...base, name: `${base.name} [${Object.entries(row).map(([k, v]) => `${k}=${String(v)}`).join(', ')}]`, matrix: row }));
}

function expandSteps(parsed: ParsedFile, section: string, absolutePath: string, inputs: Record<string, unknown>, including: string[]): PlannedStep[] {
  const steps = (parsed.data[section] ?? []) as Array<Record<string, unknown>>;
  return steps.flatMap((raw, index) => {
    const action = ACTIONS.find((a) => a in raw && !(a === 'expect' && 'api' in raw))!;
    const location = keyLocation(parsed, [section, index], action);
    if (action !== 'include') {
      const line = parsed.text.split('\n')[location.line - 1]?.trim().replace(/^-\s*/, '') ?? action;
      const source = typeof raw.name === 'string' ? raw.name : line.length > 120 ? `${line.slice(0, 119)}…` : line;
      const expectLocation = action === 'api' && 'expect' in raw ? keyLocation(parsed, [section, index], 'expect') : undefined;
      return [{ action, raw, location, ...(expectLocation && { expectLocation }), source, inputs }];
    }
    const fragmentPath = resolve(dirname(absolutePath), String(raw.include));
    if (including.includes(fragmentPath) || fragmentPath === absolutePath) throw new ScenarioFileError(`include ${String(raw.include)} includes itself`, location);
    const display = relative(process.cwd(), fragmentPath) || fragmentPath;
    const fragment = parseFile(fragmentPath, display);
    const problems = validateScenario(fragment.data, { fragment: true });
    if (problems.length) throw new ScenarioFileError(problems[0]!.message, locate(fragment, problems[0]!.path));
    // A fragment's inputs may read the including file's inputs: `with: {user: "${inputs.user}"}`.
    const given = { ...((fragment.data.inputs ?? {}) as Record<string, unknown>), ...substituteInputs((raw.with ?? {}) as Record<string, unknown>, inputs) };
    return expandSteps(fragment, 'steps', fragmentPath, given, [...including, absolutePath]);
  });
}
