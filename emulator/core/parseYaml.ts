import { createRequire } from 'node:module';

/**
 * YAML parsing, loaded on first use: the emulator reads its OpenAPI documents as JSON written at
 * build time, so most starts never need the YAML parser (about 20 ms of module loading).
 */
export function parseYaml(text: string): unknown {
  const { parse } = createRequire(import.meta.url)('yaml') as { parse(text: string): unknown };
  return parse(text);
}
