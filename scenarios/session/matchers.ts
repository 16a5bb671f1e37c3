import { jsonPath } from './jsonPath.js';

/**
 * How a scenario says what a value must be: a plain value (deep equality), or one operator:
 * `{equals}`, `{regex}`, `{type}`, `{absent: true}`, `{contains}`, `{oneOf: [...]}`,
 * `{gte}`/`{lte}`, `{length}`.
 */
export type Matcher = unknown;

const OPERATORS = new Set(['equals', 'regex', 'type', 'absent', 'contains', 'oneOf', 'gte', 'lte', 'length']);

/** An object with exactly one key, an operator name, is a matcher; anything else is a plain value. */
function operatorOf(matcher: unknown): [string, unknown] | undefined {
  if (matcher === null || typeof matcher !== 'object' || Array.isArray(matcher)) return undefined;
  const keys = Object.keys(matcher);
  return keys.length === 1 && OPERATORS.has(keys[0]!) ? [keys[0]!, (matcher as Record<string, unknown>)[keys[0]!]] : undefined;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Why `actual` does not satisfy `matcher`, or undefined when it does. */
export function mismatch(matcher: Matcher, actual: unknown): string | undefined {
  const op = operatorOf(matcher);
  if (!op) return deepEqual(matcher, actual) ? undefined : `expected ${show(matcher)}, got ${show(actual)}`;
  const [name, operand] = op;
  switch (name) {
    case 'equals':
      return deepEqual(operand, actual) ? undefined : `expected ${show(operand)}, got ${show(actual)}`;
    case 'regex':
      return typeof actual === 'string' && new RegExp(String(operand)).test(actual) ? undefined : `expected a string matching /${String(operand)}/, got ${show(actual)}`;
    case 'type': {
      const got = typeOf(actual);
      const wanted = String(operand);
      return got === wanted || (wanted === 'number' && got === 'integer') ? undefined : `expected a value of type ${wanted}, got ${got} ${show(actual)}`;
    }
    case 'absent':
      return (actual === undefined) === Boolean(operand) ? undefined : operand ? `expected no value, got ${show(actual)}` : 'expected a value, got none';
    case 'contains':
      if (typeof actual === 'string') return actual.includes(String(operand)) ? undefined : `expected a string containing ${show(operand)}, got ${show(actual)}`;
      if (Array.isArray(actual)) return actual.some((item) => subsetMismatches(operand, item).length === 0) ? undefined : `expected an array with an item like ${show(operand)}, got ${show(actual)}`;
      return `expected a string or an array containing ${show(operand)}, got ${show(actual)}`;
    case 'oneOf':
      return Array.isArray(operand) && operand.some((o) => deepEqual(o, actual)) ? undefined : `expected one of ${show(operand)}, got ${show(actual)}`;
    case 'gte':
      return typeof actual === 'number' && actual >= Number(operand) ? undefined : `expected a number >= ${show(operand)}, got ${show(actual)}`;
    case 'lte':
      return typeof actual === 'number' && actual <= Number(operand) ? undefined : `expected a number <= ${show(operand)}, got ${show(actual)}`;
    case 'length': {
      const length = Array.isArray(actual) || typeof actual === 'string' ? actual.length : undefined;
      return length === Number(operand) ? undefined : `expected length ${show(operand)}, got ${length === undefined ? show(actual) : length}`;
    }
    default:
      return `unknown matcher ${name}`;
  }
}

/** Each place where `actual` differs from the `expected` subset: `$.a.b: expected 1, got 2`. */
export function subsetMismatches(expected: unknown, actual: unknown, path = '$'): string[] {
  if (operatorOf(expected)) {
    const why = mismatch(expected, actual);
    return why ? [`${path}: ${why}`] : [];
  }
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${path}: expected an object, got ${show(actual)}`];
    return Object.entries(expected).flatMap(([key, value]) => subsetMismatches(value, (actual as Record<string, unknown>)[key], `${path}.${key}`));
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${show(actual)}`];
    if (actual.length !== expected.length) return [`${path}: expected ${expected.length} items, got ${actual.length}: ${show(actual)}`];
    return expected.flatMap((item, i) => subsetMismatches(item, actual[i], `${path}[${i}]`));
  }
  return deepEqual(expected, actual) ? [] : [`${path}: expected ${show(expected)}, got ${show(actual)}`];
}

/** Response headers by name, whatever their case. */
export function headerMismatches(expected: Record<string, Matcher>, headers: Record<string, string>): string[] {
  const byName = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.entries(expected).flatMap(([name, matcher]) => {
    const why = mismatch(typeof matcher === 'number' ? String(matcher) : matcher, byName.get(name.toLowerCase()));
    return why ? [`$.headers.${name}: ${why}`] : [];
  });
}

/** `{'$.status.sipStatus': 'online', '$.id': {regex: '^sipconn_'}}` against a body. */
export function pathMismatches(assertions: Record<string, Matcher>, body: unknown): string[] {
  return Object.entries(assertions).flatMap(([path, matcher]) => {
    const why = mismatch(matcher, jsonPath(body, path));
    return why ? [`${path}: ${why}`] : [];
  });
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((item, i) => deepEqual(item, (b as unknown[])[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** The mismatches as a diff: `- $.a: 1` expected, `+ $.a: 2` actual, per place. */
export function mismatchDiff(lines: string[]): string {
  return lines
    .map((line) => {
      const m = /^(\$[^:]*): expected (.*), got (.*)$/.exec(line);
      return m ? `- ${m[1]}: ${m[2]}\n+ ${m[1]}: ${m[3]}` : `! ${line}`;
    })
    .join('\n');
}

/** JSON as a person reads it, two spaces per level. */
export const pretty = (value: unknown): string => JSON.stringify(value, null, 2) ?? 'undefined';

/**
 * A line diff of two texts (longest common subsequence): `  ` both, `- ` expected only, `+ `
 * actual only. Texts here are a few dozen lines, so the quadratic table is small.
 */
export function lineDiff(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const common = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) common[i]![j] = a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) lines.push(`  ${a[i++]}`), j++;
    else if (i < a.length && (j === b.length || common[i + 1]![j]! >= common[i]![j + 1]!)) lines.push(`- ${a[i++]}`);
    else lines.push(`+ ${b[j++]}`);
  }
  return lines.join('\n');
}
