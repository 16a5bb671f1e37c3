import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN.md's one-way layers, checked on every import of every source file. Each layer's allowed
 * imports are listed here once; the README's Architecture section shows the same table, and the
 * last test fails when the two disagree. A layer may always import its own files.
 */
const allowed: Record<string, string[]> = {
  'random': [],
  'sip': ['random'],
  'media': [],
  'softphone': ['sip', 'media', 'random'],
  'emulator/generated': [],
  'emulator/core': ['emulator/generated', 'random'],
  'emulator/journal': ['emulator/core', 'emulator/generated', 'sip'],
  'emulator/pbx': ['emulator/core', 'emulator/generated', 'sip', 'random'],
  'emulator/listener': ['emulator/core', 'emulator/journal', 'emulator/generated', 'sip', 'media', 'random'],
  'emulator/store': ['emulator/core', 'emulator/generated'],
  'emulator/control': ['emulator/core', 'emulator/journal', 'emulator/listener', 'emulator/pbx', 'emulator/store', 'emulator/generated', 'softphone', 'media', 'random'],
  'emulator/http': ['emulator/control', 'emulator/core', 'emulator/journal', 'emulator/generated'],
  'emulator': ['emulator/http', 'emulator/control', 'emulator/listener', 'emulator/pbx', 'emulator/store', 'emulator/journal', 'emulator/core', 'emulator/generated', 'sip', 'random'],
  'scenarios': ['emulator', 'emulator/generated', 'media'],
  'contracts': ['emulator/generated'],
  'cli': ['emulator', 'scenarios', 'contracts', 'softphone', 'media'],
  'index.ts': ['emulator', 'scenarios', 'emulator/generated'],
  // Browser code, bundled by esbuild (scripts/build-dashboard.mjs): it talks to the emulator over HTTP only and shares its generated types.
  'dashboard': ['emulator/generated'],
};

/** Components whose inside is their own: other components reach them only through their index.ts. */
const components = ['sip', 'media', 'softphone', 'random', 'scenarios', 'contracts', 'cli'];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const isSource = (name: string) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.case.ts');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : isSource(entry.name) ? [join(dir, entry.name)] : [],
  );
}

/** The layer of a file: `emulator/<folder>` inside the emulator, `emulator` for its root files, else the top folder. */
function layerOf(file: string): string {
  const parts = relative(root, file).replace(/\\/g, '/').split('/');
  if (parts.length === 1) return parts[0]!;
  if (parts[0] === 'emulator' && parts.length > 2) return `emulator/${parts[1]}`;
  return parts[0]!;
}

function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => (m[1] ?? m[2])!);
}

/** Every import of the code across layers: `from → to (file)`, for the checks and their messages. */
function crossings(): Array<{ from: string; to: string; file: string; target: string }> {
  const files = [...Object.keys(allowed).filter((l) => !l.includes('/') && !l.endsWith('.ts')).flatMap((l) => sources(join(root, l))), join(root, 'index.ts')];
  return files.flatMap((file) =>
    importsOf(file)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => {
        const target = relative(root, resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))).replace(/\\/g, '/');
        return { from: layerOf(file), to: layerOf(join(root, target)), file: relative(root, file), target };
      })
      .filter((c) => c.from !== c.to),
  );
}

describe('one-way layers (DESIGN.md)', () => {
  it('no module imports from a layer it is not allowed to', () => {
    const offenders = crossings()
      .filter(({ from, to }) => !(allowed[from] ?? []).includes(to))
      .map(({ from, to, file, target }) => `${file} (${from}) imports ${target} (${to})`);
    expect(offenders).toEqual([]);
  });

  it('reaches another component only through its index.ts', () => {
    const offenders = crossings()
      .filter(({ to, target }) => components.includes(to) && target !== `${to}/index.ts`)
      .map(({ file, target }) => `${file} imports ${target}, not ${target.split('/')[0]}/index.ts`);
    expect(offenders).toEqual([]);
  });

  it('keeps emulator/core free of I/O: no node: networking, file, process or HTTP module', () => {
    const offenders = sources(join(root, 'emulator/core')).filter((file) => importsOf(file).some((s) => /^node:(net|dgram|fs|fs\/promises|http|https|child_process|worker_threads)$/.test(s)));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('keeps the dashboard browser code: no node: module, and types only from the emulator', () => {
    const offenders = sources(join(root, 'dashboard')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/^\s*(import(?:\s+type)?)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)]
        .filter(([, keyword, specifier]) => specifier!.startsWith('node:') || (specifier!.includes('/emulator/') && keyword !== 'import type'))
        .map(([line]) => `${relative(root, file)}: ${line!.trim()}`),
    );
    expect(offenders).toEqual([]);
  });

  it('lists no layer that does not exist, and no allowed import that no file uses', () => {
    const used = new Set(crossings().map(({ from, to }) => `${from} → ${to}`));
    const unused = Object.entries(allowed).flatMap(([from, tos]) => tos.filter((to) => !used.has(`${from} → ${to}`)).map((to) => `${from} → ${to}`));
    expect(unused).toEqual([]);
  });

  it('matches the table in the README’s Architecture section', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /<!-- layers: kept equal to test\/layers\.test\.ts -->\n```\n([^`]*)```/.exec(readme)?.[1];
    expect(block, 'README.md has the layers block').toBeDefined();
    const table = Object.fromEntries(
      block!.trim().split('\n').map((line) => {
        const [layer, deps] = line.split('→').map((part) => part.trim());
        return [layer!, deps === '(nothing)' ? [] : deps!.split(',').map((d) => d.trim())];
      }),
    );
    expect(table).toEqual(allowed);
  });
});
