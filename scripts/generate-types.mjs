// Generates the TypeScript types of both APIs with openapi-typescript (`npm run generate:types`):
// emulator/generated/public-api.ts from openapi.yaml (the guide profile), public-api-latest.ts from
// openapi.yaml with openapi-latest.overlay.yaml applied (the latest profile), and control-api.ts.
// test/openapi.test.ts generates them the same way and fails when a committed file drifts.
// Needs the build (the overlay is applied by the emulator's own code): the npm script runs tsc first.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { COMMENT_HEADER, astToString } from 'openapi-typescript';
import { parse } from 'yaml';
import { applyOverlay } from '../dist/emulator/http/applyOverlay.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const yaml = (file) => parse(readFileSync(join(root, file), 'utf8'));
const outputs = [
  ['emulator/generated/public-api.ts', pathToFileURL(join(root, 'openapi.yaml'))],
  ['emulator/generated/public-api-latest.ts', applyOverlay(yaml('openapi.yaml'), yaml('openapi-latest.overlay.yaml'))],
  ['emulator/generated/control-api.ts', pathToFileURL(join(root, 'control-openapi.yaml'))],
];
for (const [file, source] of outputs) {
  writeFileSync(join(root, file), COMMENT_HEADER + astToString(await openapiTS(source, { silent: true })));
  console.log(`wrote ${file}`);
}
