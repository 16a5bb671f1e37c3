import { jsonPath } from '../session/jsonPath.js';

/** The values a step may read: `${steps.<id>.<name>}`, `${env.NAME}`, `${inputs.name}`, `${matrix.name}`, `${scenario.key}`. */
export interface Scope {
  steps: Map<string, { result: unknown; captures: Record<string, unknown> }>;
  env: Record<string, string | undefined>;
  inputs: Record<string, unknown>;
  matrix: Record<string, unknown>;
  scenario: Record<string, unknown>;
}

const WHOLE = /^\$\{([^}]+)\}$/;
const PART = /\$\{([^}]+)\}/g;

/**
 * A step's values with every `${…}` replaced. A string that is one placeholder keeps the value's
 * type (a number stays a number, an object an object); inside a longer string it becomes text.
 * An unknown name throws, naming what is known.
 *
 * @example
 * interpolate({ path: '/public/agents/${steps.agent.id}' }, scope); // { path: '/public/agents/agent_…' }
 */
export function interpolate<T>(value: T, scope: Scope): T {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(whole[1]!.trim(), scope) as T;
    return value.replace(PART, (_m, name: string) => {
      const found = lookup(name.trim(), scope);
      return typeof found === 'string' ? found : JSON.stringify(found);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, scope)) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, scope)])) as T;
  return value;
}

/** Replaces only `${inputs.name}` (a fragment's inputs that read the including file's inputs); the rest waits for run time. */
export function substituteInputs<T>(value: T, inputs: Record<string, unknown>): T {
  if (typeof value === 'string') {
    const whole = /^\$\{\s*inputs\.([\w-]+)\s*\}$/.exec(value);
    if (whole && whole[1]! in inputs) return inputs[whole[1]!] as T;
    return value.replace(/\$\{\s*inputs\.([\w-]+)\s*\}/g, (m, name: string) => (name in inputs ? String(inputs[name]) : m)) as T;
  }
  if (Array.isArray(value)) return value.map((v) => substituteInputs(v, inputs)) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteInputs(v, inputs)])) as T;
  return value;
}

function lookup(name: string, scope: Scope): unknown {
  const [root, ...rest] = name.split('.');
  switch (root) {
    case 'env': {
      const value = scope.env[rest.join('.')];
      if (value === undefined) throw new Error(`\${${name}} is not set in the environment`);
      return value;
    }
    case 'inputs':
    case 'matrix':
    case 'scenario': {
      const bag = scope[root];
      const key = rest.join('.');
      if (!(key in bag)) throw new Error(`\${${name}}: no ${root} value '${key}' (known: ${Object.keys(bag).join(', ') || 'none'})`);
      const value = bag[key];
      // A fragment's input given as `${matrix.x}` or `${steps.y.id}` reads the including scenario's values.
      return root === 'inputs' && typeof value === 'string' && value.includes('${') ? interpolate(value, { ...scope, inputs: {} }) : value;
    }
    case 'steps': {
      const [id, ...path] = rest;
      const step = id === undefined ? undefined : scope.steps.get(id);
      if (!step) throw new Error(`\${${name}}: no earlier step has id '${id}' (known: ${[...scope.steps.keys()].join(', ') || 'none'})`);
      if (path.length === 0) return step.result;
      if (path[0]! in step.captures) return path.length === 1 ? step.captures[path[0]!] : jsonPath(step.captures[path[0]!], `$.${path.slice(1).join('.')}`);
      // Without a capture of that name: the response body's field (api), else the result's.
      const result = step.result as { body?: unknown } | undefined;
      const source = result && typeof result === 'object' && 'body' in result && 'status' in result ? result.body : result;
      const found = jsonPath(source, `$.${path.join('.')}`);
      if (found === undefined) throw new Error(`\${${name}}: step '${id}' has no value '${path.join('.')}'`);
      return found;
    }
    default:
      throw new Error(`\${${name}}: a placeholder reads steps.<id>.<name>, env.NAME, inputs.NAME, matrix.NAME or scenario.key`);
  }
}
