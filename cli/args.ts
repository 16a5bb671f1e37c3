import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type Values<T extends OptionsConfig> = { [K in keyof T]?: T[K] extends { type: 'boolean' } ? boolean : string } & { help?: boolean };

/** Parses a command's options; unknown options and bad values are usage errors shown with the command's help. */
export function parseCommandArgs<T extends OptionsConfig>(argv: string[], options: T): { values: Values<T>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: parsed.values as Values<T>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function toInteger(name: string, value: string | undefined, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  return Number(value);
}
