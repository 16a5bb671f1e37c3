// Node module hooks that run omnisip's TypeScript sources as they are (no build), for tests that
// start the CLI as a process of its own: `node --import ./test/support/runTypeScript.mjs cli/main.ts`.
// Types are stripped by vite's transformWithOxc (vite comes with vitest; TypeScript's own
// transpileModule takes three times as long to start the emulator); `./x.js` imports resolve to
// `./x.ts`, as tsc's NodeNext resolution does.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transformWithOxc } from 'vite';

export async function resolve(specifier, context, nextResolve) {
  if (/^\.\.?\//.test(specifier) && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
    const url = new URL(specifier, context.parentURL);
    const source = new URL(url.href.replace(/\.js$/, '.ts'));
    if (!existsSync(fileURLToPath(url)) && existsSync(fileURLToPath(source))) return { url: source.href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const { code } = await transformWithOxc(await readFile(fileName, 'utf8'), fileName, { lang: 'ts', sourcemap: false });
  return { format: 'module', source: code, shortCircuit: true };
}
