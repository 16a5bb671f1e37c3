import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN.md's one-way layers, checked on every import of every source file:
 * cli → emulator (http → control, listener, pbx → core) → softphone → sip, media; generated types anywhere.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const components = ['index.ts', 'cli', 'contracts', 'emulator', 'softphone', 'sip', 'media', 'random'];

/** For each layer (a folder under src/), the folders it may import from besides itself. `util` is a leaf every layer may use. */
const allowed: Record<string, string[]> = {
  'random': [],
  'emulator/generated': [],
  'sip': ['random'],
  'media': ['random'],
  'softphone': ['sip', 'media', 'random'],
  'emulator/core': ['emulator/generated', 'media', 'random'],
  'emulator/control': ['emulator/core', 'emulator/listener', 'emulator/pbx', 'emulator', 'emulator/generated', 'softphone', 'media', 'sip'],
  'emulator/pbx': ['emulator/core', 'emulator/control', 'emulator', 'emulator/generated', 'sip'],
  'emulator/listener': ['emulator/core', 'emulator/control', 'emulator', 'emulator/generated', 'sip', 'media'],
  'emulator/http': ['emulator/core', 'emulator/control', 'emulator/listener', 'emulator/pbx', 'emulator', 'emulator/generated', 'media'],
  'emulator': ['emulator/core', 'emulator/control', 'emulator/listener', 'emulator/pbx', 'emulator/http', 'emulator/generated', 'sip', 'softphone'],
  'cli': ['emulator', 'emulator/core', 'softphone', 'sip', 'media', 'emulator/generated', 'contracts'],
  'contracts': ['emulator/generated'],
  '.': ['emulator', 'emulator/generated'],
};

/** Files that only the emulator's wiring may import from emulator/ itself: its logger, events and config are shared leaves. */
const sharedLeaves = new Set(['emulator/logger.ts', 'emulator/events.ts', 'emulator/config.ts']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.case.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The layer a file belongs to: the longest key of `allowed` that is a prefix of its folder. */
function layerOf(file: string): string {
  const folder = relative(root, dirname(file)).replace(/\\/g, '/') || '.';
  const layers = Object.keys(allowed).filter((l) => l !== '.' && (folder === l || folder.startsWith(`${l}/`))).sort((a, b) => b.length - a.length);
  return layers[0] ?? '.';
}

describe('one-way layers (DESIGN.md)', () => {
  it('no module imports from a layer above it', () => {
    const offenders: string[] = [];
    for (const file of components.flatMap((c) => (c.endsWith('.ts') ? [join(root, c)] : sources(join(root, c))))) {
      const from = layerOf(file);
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        if (!specifier!.startsWith('.')) continue;
        const target = resolve(dirname(file), specifier!.replace(/\.js$/, '.ts'));
        const targetRelative = relative(root, target).replace(/\\/g, '/');
        if (targetRelative.startsWith('../')) {
          if (!(allowed[from] ?? []).some((l) => targetRelative.startsWith(l))) offenders.push(`${relative(root, file)} (${from}) imports ${specifier}`);
          continue;
        }
        const to = layerOf(target);
        if (to === from || to === 'random' || sharedLeaves.has(targetRelative)) continue;
        if (!(allowed[from] ?? []).includes(to)) offenders.push(`${relative(root, file)} (${from}) imports ${targetRelative} (${to})`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('keeps core free of I/O: no node: networking, file or process modules', () => {
    const offenders = sources(join(root, 'emulator/core')).filter((file) => /from\s+['"]node:(net|dgram|fs|http|child_process)['"]/.test(readFileSync(file, 'utf8')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});
