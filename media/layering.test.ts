import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const PACKAGES = new Set(['alawmulaw', 'wavefile', 'sdp-transform', 'vitest']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('media layering (DESIGN.md: media knows nothing of SIP or the API)', () => {
  it('imports only its own files, node: built-ins and its three libraries', () => {
    const offenders: string[] = [];
    for (const file of sources(here)) {
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const ok = specifier!.startsWith('node:') || PACKAGES.has(specifier!) || (specifier!.startsWith('./') && specifier!.endsWith('.js'));
        if (!ok) offenders.push(`${file.slice(here.length + 1)} imports ${specifier}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('names every module in index.ts', () => {
    const index = readFileSync(join(here, 'index.ts'), 'utf8');
    const modules = sources(here)
      .map((file) => file.slice(here.length + 1))
      // Internal to RtpSession and RtpSender: nothing of theirs is public.
      .filter((name) => !name.endsWith('.test.ts') && name !== 'index.ts' && name !== 'FramePacer.ts' && name !== 'bindRtpSocket.ts');
    const missing = modules.filter((name) => !index.includes(`'./${name.replace(/\.ts$/, '.js')}'`));
    expect(missing).toEqual([]);
  });
});
