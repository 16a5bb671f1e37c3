// Writes dist/openapi.json, dist/openapi-latest.json (openapi.yaml with the latest profile's
// overlay applied) and dist/control-openapi.json at build time: the emulator parses JSON in ~2 ms
// where YAML took ~140 ms of its start-up (bench/api). The YAML files stay the source of truth; a
// JSON older than any file it was made from is ignored at run time. Then it compiles each document's
// request validators into dist/validators/ (see the end of this file).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { applyOverlay } from '../dist/emulator/http/applyOverlay.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const yaml = (file) => parse(readFileSync(join(root, file), 'utf8'));
mkdirSync(join(root, 'dist'), { recursive: true });
const documents = {
  openapi: yaml('openapi.yaml'),
  'openapi-latest': applyOverlay(yaml('openapi.yaml'), yaml('openapi-latest.overlay.yaml')),
  'control-openapi': yaml('control-openapi.yaml'),
};
for (const [name, document] of Object.entries(documents)) writeFileSync(join(root, 'dist', `${name}.json`), JSON.stringify(document));

// Then the request validators of each document as ajv standalone code (dist/validators/*.cjs):
// a start loads them instead of ajv (emulator/http/validators.ts checks they match the document).
const { loadOpenApiDocument, readProfileDocument } = await import('../dist/emulator/http/openapiDocument.js');
const { precompiledPath } = await import('../dist/emulator/http/validators.js');
const { precompiledValidatorsSource } = await import('../dist/emulator/http/precompileValidators.js');
const apis = {
  'omnisip-public-guide.json': loadOpenApiDocument(readProfileDocument('guide')),
  'omnisip-public-latest.json': loadOpenApiDocument(readProfileDocument('latest')),
  'omnisip-control.json': loadOpenApiDocument('control-openapi.yaml'),
};
for (const [documentId, document] of Object.entries(apis)) {
  const path = precompiledPath(documentId, root);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, precompiledValidatorsSource(document, documentId));
}
