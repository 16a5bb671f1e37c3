import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

function sources(): string[] {
  return readdirSync(here).filter((name) => name.endsWith('.ts'));
}

describe('softphone layering (DESIGN.md: the softphone is built on sip/ and media/ only)', () => {
  it('imports only its own files, sip/, media/, random/ and node: built-ins (tests may use vitest)', () => {
    const offenders: string[] = [];
    for (const file of sources()) {
      for (const [, specifier] of readFileSync(join(here, file), 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const allowed =
          specifier!.startsWith('node:') ||
          /^\.\/[\w.]+\.js$/.test(specifier!) ||
          /^\.\.\/(sip|media|random)\/[\w./]+\.js$/.test(specifier!) ||
          (file.endsWith('.test.ts') && specifier === 'vitest');
        if (!allowed) offenders.push(`${file} imports ${specifier}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('names every module in index.ts', () => {
    const index = readFileSync(join(here, 'index.ts'), 'utf8');
    const internal = new Set(['index.ts', 'softphone.case.ts', 'receiveInCall.ts', 'followRefer.ts']);
    const missing = sources().filter((name) => !name.endsWith('.test.ts') && !internal.has(name) && !index.includes(`'./${name.replace(/\.ts$/, '.js')}'`));
    expect(missing).toEqual([]);
  });
});
