import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';

/** A problem in a scenario file: what, and the path of keys and indexes to where it is. */
export interface ScenarioProblem {
  message: string;
  path: Array<string | number>;
}

const ACTIONS = ['api', 'fault', 'unfault', 'clock', 'account', 'softphone', 'call', 'dtmf', 'say', 'tone', 'hangup', 'wait', 'expect', 'audio', 'include'];
const STEP_KEYS = [...ACTIONS, 'id', 'name', 'capture', 'with'];
const SECTIONS = ['setup', 'steps', 'teardown'];

// ajv is CommonJS; its default export arrives wrapped under NodeNext.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as unknown as new (options: object) => { compile(schema: object): ValidateFunction };

let compiled: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  if (!compiled) {
    // The schema sits next to this module's source; from dist/, two folders up is the package root.
    const here = dirname(fileURLToPath(import.meta.url));
    const candidates = [join(here, '..', 'scenario.schema.json'), join(here, '..', '..', '..', 'scenarios', 'scenario.schema.json')];
    const path = candidates.find((p) => {
      try {
        readFileSync(p);
        return true;
      } catch {
        return false;
      }
    });
    if (!path) throw new Error(`omnisip: scenario.schema.json not found next to ${here}`);
    compiled = new Ajv({ allErrors: false, strict: false }).compile(JSON.parse(readFileSync(path, 'utf8')) as object);
  }
  return compiled;
}

/** The closest of `candidates` to `word`, if it is close (a typo). */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length]![b.length]!;
  };
  const best = candidates.map((c) => ({ c, d: distance(word.toLowerCase(), c.toLowerCase()) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.c : undefined;
}

/**
 * Checks a parsed scenario (or fragment) and returns its problems, the first most useful: each
 * step has exactly one action (an unknown key gets a "did you mean"), then the JSON Schema.
 */
export function validateScenario(data: Record<string, unknown>, options: { fragment?: boolean } = {}): ScenarioProblem[] {
  for (const section of SECTIONS) {
    const steps = data[section];
    if (steps === undefined) continue;
    if (!Array.isArray(steps)) return [{ message: `${section} must be a list of steps`, path: [section] }];
    for (const [index, step] of steps.entries()) {
      if (step === null || typeof step !== 'object' || Array.isArray(step)) return [{ message: `each step is a mapping with one action (${ACTIONS.join(', ')})`, path: [section, index] }];
      for (const key of Object.keys(step)) {
        if (STEP_KEYS.includes(key)) continue;
        const near = suggest(key, STEP_KEYS);
        return [{ message: `unknown step key '${key}'${near ? `; did you mean '${near}'?` : `; a step has one of ${ACTIONS.join(', ')}`}`, path: [section, index, key] }];
      }
      const actions = Object.keys(step).filter((k) => ACTIONS.includes(k) && !(k === 'expect' && 'api' in step));
      if (actions.length !== 1) {
        return [{ message: actions.length === 0 ? `the step has no action: give it one of ${ACTIONS.join(', ')}` : `the step has ${actions.length} actions (${actions.join(', ')}): one step does one thing`, path: [section, index] }];
      }
    }
  }
  // A fragment is a list of steps with inputs: it needs no name or description of its own.
  const document = options.fragment ? { name: 'fragment', description: 'fragment', ...data } : data;
  const validate = schemaValidator();
  if (validate(document)) return [];
  return (validate.errors ?? []).slice(0, 1).map((error) => ({ message: describe(error), path: pathOf(error) }));
}

function pathOf(error: ErrorObject): Array<string | number> {
  const parts = error.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path: Array<string | number> = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (error.keyword === 'additionalProperties') path.push((error.params as { additionalProperty: string }).additionalProperty);
  return path;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'the scenario';
  switch (error.keyword) {
    case 'required':
      return `${where} needs '${(error.params as { missingProperty: string }).missingProperty}'`;
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(((error.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object);
      const near = suggest(key, allowed);
      return `${where} has an unknown key '${key}'${near ? `; did you mean '${near}'?` : allowed.length ? ` (known: ${allowed.join(', ')})` : ''}`;
    }
    case 'enum':
      return `${where} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `${where} must be ${(error.params as { type: string }).type}`;
    default:
      return `${where} ${error.message ?? 'is not valid'}`;
  }
}
