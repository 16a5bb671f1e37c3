import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOpenApiDocument, readProfileDocument } from './openapiDocument.js';
import { packageRoot } from './packageRoot.js';
import { precompiledValidatorsSource } from './precompileValidators.js';
import { compileValidators, requestSchemas, requestSchemasFingerprint } from './validators.js';

const documentId = 'omnisip-public-guide.json';
const document = loadOpenApiDocument(readProfileDocument('guide'));
// Inside the package, as dist/validators is: the modules require ajv's runtime from node_modules.
mkdirSync(join(packageRoot(), 'test-artifacts'), { recursive: true });
const dir = mkdtempSync(join(packageRoot(), 'test-artifacts', 'validators-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The build's module (for the guide document unless told), written where compileValidators can be pointed at it. */
function precompiled(name: string, source = precompiledValidatorsSource(document, documentId)): string {
  const file = join(dir, `${name}.cjs`);
  writeFileSync(file, source);
  return file;
}

const agent = { companionId: 'c', voiceId: 'alloy', providerSettings: {} };
const connection = { agentId: 'a', settings: { server: 's', port: 5060, domain: 'd', username: 'u', password: 'p', transport: 'TCP' } };
/** Requests each validator must accept or refuse, with the sentence a 400 carries. */
const samples = [
  { op: 'createAgent', body: agent },
  { op: 'createAgent', body: { companionId: 'c', providerSettings: {} } },
  { op: 'createAgent', body: { ...agent, voiceId: 7, unknown: true } },
  { op: 'createSipConnection', body: connection },
  { op: 'createSipConnection', body: { ...connection, settings: { ...connection.settings, port: '5060', transport: 'SCTP' } } },
  { op: 'createSipConnection', body: { ...connection, settings: { ...connection.settings, extra: 1 } } },
];
const queries = [{}, { pageSize: 20 }, { pageSize: 101 }, { pageIndex: -1, pageSize: 0 }];

describe('precompiled request validators (the build writes them; a start loads them instead of ajv)', () => {
  it('answer every request exactly as the validators compiled at run time', () => {
    const runtime = compileValidators(document, documentId, join(dir, 'none.cjs'));
    const built = compileValidators(document, documentId, precompiled('guide'));
    for (const { op, body } of samples) expect(built.get(op)!.body(body)).toBe(runtime.get(op)!.body(body));
    for (const query of queries) expect(built.get('listAgents')!.params({ path: {}, query })).toBe(runtime.get('listAgents')!.params({ path: {}, query }));
    // The samples do tell right from wrong, in the same sentences.
    expect(built.get('createAgent')!.body(agent)).toBeUndefined();
    expect(built.get('createAgent')!.body(samples[1]!.body)).toContain("'voiceId' is required");
    // A message of the document's own (x-omnisip-message), read from the schema the error points at.
    expect(built.get('createSipConnection')!.body(samples[4]!.body)).toBe("'settings.port' must be integer; 'settings.transport' must be UDP or TCP, in any case (TLS is not emulated).");
    expect(built.get('listAgents')!.params({ path: {}, query: { pageSize: 101 } })).toContain("query parameter 'pageSize'");
  });

  it('are used only when made from the same document: a module made from another is ignored', () => {
    const changed = structuredClone(document.raw) as { paths: Record<string, { post?: { requestBody?: unknown } }> };
    // The other document: an agent create that takes anything.
    changed.paths['/public/agents']!.post!.requestBody = { content: { 'application/json': { schema: {} } } };
    const other = loadOpenApiDocument(changed);
    expect(requestSchemasFingerprint(other, requestSchemas(other, documentId))).not.toBe(requestSchemasFingerprint(document, requestSchemas(document, documentId)));
    const stale = precompiled('other', precompiledValidatorsSource(other, documentId));
    const validators = compileValidators(document, documentId, stale);
    expect(validators.get('createAgent')!.body({})).toContain("'companionId' is required");
  });
});
