// Writes dist/openapi.json and dist/control-openapi.json from the YAML documents at build time:
// the emulator parses JSON in ~2 ms where YAML took ~140 ms of its start-up (bench/api).
// The YAML files stay the source of truth; a JSON older than its YAML is ignored at run time.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'dist'), { recursive: true });
for (const name of ['openapi', 'control-openapi']) {
  const document = parse(readFileSync(join(root, `${name}.yaml`), 'utf8'));
  writeFileSync(join(root, 'dist', `${name}.json`), JSON.stringify(document));
}
