import { createRequire } from 'node:module';

type YamlModule = { parse(text: string): unknown; stringify(value: unknown): string };
const yaml = (): YamlModule => createRequire(import.meta.url)('yaml') as YamlModule;

/**
 * YAML parsing, loaded on first use: the emulator reads its OpenAPI documents as JSON written at
 * build time, so most starts never need the YAML library (about 20 ms of module loading).
 */
export function parseYaml(text: string): unknown {
  return yaml().parse(text);
}

/** YAML text of `value`, with the library loaded on first use as for {@link parseYaml}. */
export function stringifyYaml(value: unknown): string {
  return yaml().stringify(value);
}
