import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type Values<T extends OptionsConfig> = { [K in keyof T]?: T[K] extends { type: 'boolean' } ? boolean : string } & { help?: boolean };

/** Parses a command's options; unknown options and bad values are usage errors shown with the command's help. */
export function parseCommandArgs<T extends OptionsConfig>(argv: string[], options: T): { values: Values<T>; positionals: string[] } {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as OptionsConfig;
  try {
    const parsed = parseArgs({ args: withNegativeValues(argv, all), options: all, allowPositionals: true, strict: true });
    return { values: parsed.values as Values<T>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(usageMessage(error as Error & { code?: string }, Object.keys(all)));
  }
}

/**
 * `--priority -10` as `--priority=-10`: parseArgs takes a value that starts with a dash for an
 * option of its own and refuses it, but a negative number after an option that takes a value is
 * that option's value (a priority, a seed).
 */
export function withNegativeValues(argv: string[], options: OptionsConfig): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!.startsWith('--') ? argv[i]!.slice(2) : undefined;
    const next = argv[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d+(\.\d+)?$/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(argv[i]!);
    }
  }
  return out;
}

/** Node's parseArgs messages, said the way omnisip says things: what is wrong and what to type instead. */
function usageMessage(error: Error & { code?: string }, known: string[]): string {
  const option = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) {
    const guess = closest(option.replace(/^-+/, ''), known);
    return guess ? `unknown option ${option}; did you mean --${guess}?` : `unknown option ${option}; the options are ${known.map((k) => `--${k}`).join(', ')}`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (/argument missing/.test(error.message)) return `${option} needs a value, e.g. ${option} <value>`;
    if (/ambiguous/.test(error.message)) return `${option} needs a value; one that starts with a dash is written ${option}=<value>`;
    return `${option} takes no value (it is a switch): leave out what follows the =`;
  }
  return error.message;
}

/** The known option nearest to `typed` (edit distance at most 2, or a unique prefix), if any. */
export function closest(typed: string, known: string[]): string | undefined {
  const prefixed = known.filter((k) => k.startsWith(typed));
  if (prefixed.length === 1) return prefixed[0];
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(typed, name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Damerau-Levenshtein distance (optimal string alignment): a swapped pair of letters counts once. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

export function toInteger(name: string, value: string | undefined, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  return Number(value);
}
