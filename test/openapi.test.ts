import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import openapiTS, { COMMENT_HEADER, astToString } from 'openapi-typescript';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { parse } from 'yaml';
import type { PublicOperationId, PublicOperations } from '../emulator/generated/index.js';
import type { operations as LatestOperations } from '../emulator/generated/public-api-latest.js';
import { applyOverlay } from '../emulator/http/applyOverlay.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;

type Node = Record<string, unknown>;
const root = fileURLToPath(new URL('..', import.meta.url));
/** The latest profile's document: openapi.yaml with its overlay applied, written out where Redocly can read it. */
const latestFile = join(mkdtempSync(join(tmpdir(), 'omnisip-openapi-')), 'openapi-latest.json');
const documents = [
  { name: 'openapi.yaml', file: 'openapi.yaml', generated: 'emulator/generated/public-api.ts' },
  { name: 'openapi.yaml + openapi-latest.overlay.yaml', file: latestFile, generated: 'emulator/generated/public-api-latest.ts' },
  { name: 'control-openapi.yaml', file: 'control-openapi.yaml', generated: 'emulator/generated/control-api.ts' },
] as const;
const latest = (): Node => applyOverlay(parse(readFileSync(`${root}openapi.yaml`, 'utf8')) as Node, parse(readFileSync(`${root}openapi-latest.overlay.yaml`, 'utf8')) as Node);
writeFileSync(latestFile, JSON.stringify(latest()));
/** A document's path: the shipped ones are relative to the repository. */
const pathOf = (file: string) => (file.startsWith('/') ? file : `${root}${file}`);
const docs = new Map<string, Node>();
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const docId = (file: string) => pathToFileURL(pathOf(file)).href;
const at = (doc: Node, pointer: string): unknown =>
  pointer.split('/').slice(1).reduce<unknown>((node, key) => (isNode(node) || Array.isArray(node) ? (node as Node)[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), doc);
const deref = (doc: Node, value: unknown): Node => (isNode(value) && typeof value.$ref === 'string' ? deref(doc, at(doc, value.$ref.slice(1))) : (value as Node));
const validator = (file: string, pointer: string) =>
  ajv.getSchema(`${docId(file)}#${pointer.split('/').map(encodeURIComponent).join('/')}`) ?? expect.fail(`no schema at ${file}#${pointer}`);
const schemaAt = (file: string, name: string) => validator(file, `/components/schemas/${name}`);

/** Every schema in the document, by JSON pointer, from the places OpenAPI 3.1 puts them. */
function schemaPointers(doc: Node): string[] {
  const found: string[] = [];
  const visit = (node: unknown, pointer: string) => {
    if (!isNode(node)) return;
    found.push(pointer);
    for (const key of ['properties', 'patternProperties', '$defs', 'dependentSchemas'])
      for (const [name, sub] of Object.entries(isNode(node[key]) ? node[key] : {})) visit(sub, `${pointer}/${key}/${escape(name)}`);
    for (const key of ['allOf', 'anyOf', 'oneOf', 'prefixItems']) (Array.isArray(node[key]) ? node[key] : []).forEach((sub, i) => visit(sub, `${pointer}/${key}/${i}`));
    for (const key of ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties'])
      visit(node[key], `${pointer}/${key}`);
  };
  for (const [name, schema] of Object.entries((doc.components as Node | undefined)?.schemas ?? {})) visit(schema, `/components/schemas/${escape(name)}`);
  for (const { node, pointer } of holders(doc)) if (node.schema) visit(node.schema, `${pointer}/schema`);
  return found;
}

/** Media types, parameters and headers: the objects that carry a `schema` and examples of their own. */
function holders(doc: Node): Array<{ node: Node; pointer: string }> {
  const out: Array<{ node: Node; pointer: string }> = [];
  const walk = (node: unknown, pointer: string, key: string) => {
    if (!isNode(node) && !Array.isArray(node)) return;
    for (const [childKey, child] of Object.entries(node)) {
      if (['schema', 'schemas', 'examples', 'example'].includes(childKey)) continue;
      const childPointer = `${pointer}/${escape(childKey)}`;
      if (['content', 'parameters', 'headers'].includes(key) && isNode(child) && 'schema' in child) out.push({ node: child, pointer: childPointer });
      walk(child, childPointer, childKey);
    }
  };
  walk(doc.paths, '/paths', 'paths');
  walk(doc.components, '/components', 'components');
  return out;
}

function examplesOf(doc: Node): Array<{ pointer: string; schemaPointer: string; value: unknown }> {
  const out: Array<{ pointer: string; schemaPointer: string; value: unknown }> = [];
  for (const pointer of schemaPointers(doc)) {
    const schema = at(doc, pointer) as Node;
    (Array.isArray(schema.examples) ? schema.examples : []).forEach((value, i) => out.push({ pointer: `${pointer}/examples/${i}`, schemaPointer: pointer, value }));
    if ('example' in schema) out.push({ pointer: `${pointer}/example`, schemaPointer: pointer, value: schema.example });
  }
  for (const { node, pointer } of holders(doc)) {
    if (!node.schema) continue;
    if ('example' in node) out.push({ pointer: `${pointer}/example`, schemaPointer: `${pointer}/schema`, value: node.example });
    for (const [name, example] of Object.entries(isNode(node.examples) ? node.examples : {}))
      out.push({ pointer: `${pointer}/examples/${escape(name)}`, schemaPointer: `${pointer}/schema`, value: deref(doc, example).value });
  }
  return out;
}

/** The schemas a response can return, following `$ref`s, each visited once. */
function responseSchemaNodes(doc: Node): Node[] {
  const seen = new Set<unknown>();
  const nodes: Node[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isNode(value) || seen.has(value)) return;
    seen.add(value);
    nodes.push(value);
    if (typeof value.$ref === 'string') visit(at(doc, value.$ref.slice(1)));
    // Examples are data, not schemas: their keys are not properties.
    for (const [key, sub] of Object.entries(value)) if (key !== 'examples' && key !== 'example') visit(sub);
  };
  for (const item of Object.values(doc.paths as Node))
    for (const op of Object.values(item as Node))
      for (const response of Object.values((isNode(op) && (op.responses as Node)) || {}))
        for (const media of Object.values(deref(doc, response).content ?? {})) visit((media as Node).schema);
  return nodes;
}

/** A schema without its documentation, so that two copies can be compared for constraints. */
const constraints = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(constraints) : isNode(value) ? Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'description' && k !== 'examples').map(([k, v]) => [k, constraints(v)])) : value;
const properties = (file: string, name: string) => (at(docs.get(file)!, `/components/schemas/${name}`) as { properties: Node }).properties;

beforeAll(async () => {
  for (const { file } of documents) {
    const doc = parse(await readFile(pathOf(file), 'utf8')) as Node;
    docs.set(file, doc);
    ajv.addSchema({ ...doc, $id: docId(file) });
  }
});

describe('openapi.yaml and control-openapi.yaml', () => {
  it('pass the Redocly lint (recommended rules, redocly.yaml) with no error and no warning', async () => {
    const lint = async (file: string) => {
      const run = promisify(execFile)(process.execPath, ['node_modules/@redocly/cli/bin/cli.js', 'lint', file, '--format', 'json'], {
        cwd: root,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      });
      // The CLI exits 1 when it finds errors; its JSON report is on stdout either way.
      const { stdout } = await run.catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
      const report = JSON.parse(stdout) as { problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }> };
      return report.problems.map((p) => `${file}${p.location[0]?.pointer ?? ''}: ${p.message} (${p.ruleId})`);
    };
    const problems = (await Promise.all(documents.map(({ file }) => lint(file)))).flat();
    expect(problems, 'Run `npm run lint:openapi` and fix what it reports').toEqual([]);
  });

  it.each(documents)('$generated matches what openapi-typescript generates from $name', async ({ file, generated }) => {
    const source = file === latestFile ? latest() : pathToFileURL(pathOf(file));
    const expected = COMMENT_HEADER + astToString(await openapiTS(source as Parameters<typeof openapiTS>[0], { silent: true }));
    const actual = await readFile(`${root}${generated}`, 'utf8');
    const lines = [expected.split('\n'), actual.split('\n')] as const;
    const firstDifference = lines[0].findIndex((line, i) => line !== lines[1][i]);
    expect(actual === expected, `${generated} is out of date with ${file} (first difference at line ${firstDifference + 1}): run \`npm run generate:types\` and commit the result`).toBe(true);
  });

  it.each(documents)('every example in $name validates against its schema (ajv 2020, as the emulator validates)', ({ file }) => {
    const cases = examplesOf(docs.get(file)!);
    expect(cases.length).toBeGreaterThan(50);
    const failures = cases.flatMap(({ pointer, schemaPointer, value }) => {
      const validate = validator(file, schemaPointer);
      return validate(value) ? [] : [`${file}#${pointer}: ${ajv.errorsText(validate.errors)}`];
    });
    expect(failures).toEqual([]);
  });

  it.each(documents)('every component schema and every property in $name has a description and an example', ({ file }) => {
    const doc = docs.get(file)!;
    const documented = (pointer: string) => {
      const schema = at(doc, pointer) as Node;
      return typeof schema.description === 'string' && (Array.isArray(schema.examples) || 'example' in schema);
    };
    const missing = schemaPointers(doc).filter((p) => (/^\/components\/schemas\/[^/]+$/.test(p) || /\/properties\/[^/]+$/.test(p)) && !/\/(if|then|else)\//.test(p) && !documented(p));
    expect(missing).toEqual([]);
  });

  it.each(documents)('no response schema in $name has a password property, and every password is writeOnly', ({ file }) => {
    const doc = docs.get(file)!;
    const nodes = responseSchemaNodes(doc);
    expect(nodes.length).toBeGreaterThan(20);
    expect(nodes.filter((node) => isNode(node.properties) && 'password' in node.properties)).toEqual([]);
    const passwords = schemaPointers(doc).filter((p) => p.endsWith('/properties/password'));
    expect(passwords.every((p) => (at(doc, p) as Node).writeOnly === true)).toBe(true);
  });
});

describe('openapi.yaml: the public API', () => {
  it('has exactly the documented operations, each with X-API-Version, tags and a summary', () => {
    const doc = docs.get('openapi.yaml')!;
    const operations = Object.entries(doc.paths as Node).flatMap(([path, item]) =>
      Object.entries(item as Node).map(([method, op]) => ({ path, method, op: op as Node })),
    );
    expect(Object.fromEntries(operations.map(({ path, method, op }) => [op.operationId, `${method.toUpperCase()} ${path}`]))).toEqual({
      createAgent: 'POST /public/agents',
      listAgents: 'GET /public/agents',
      getAgent: 'GET /public/agents/{agentId}',
      updateAgent: 'PATCH /public/agents/{agentId}',
      deleteAgent: 'DELETE /public/agents/{agentId}',
      putChannelConfig: 'PUT /public/agents/{agentId}/channels/{channelType}',
      getChannelConfig: 'GET /public/agents/{agentId}/channels/{channelType}',
      deleteChannelConfig: 'DELETE /public/agents/{agentId}/channels/{channelType}',
      createSipConnection: 'POST /public/sip-connections',
      listSipConnections: 'GET /public/sip-connections',
      getSipConnection: 'GET /public/sip-connections/{id}',
      updateSipConnection: 'PATCH /public/sip-connections/{id}',
      deleteSipConnection: 'DELETE /public/sip-connections/{id}',
      refreshSipConnectionStatus: 'POST /public/sip-connections/{id}/status',
      listSipConnectionErrors: 'GET /public/sip-connections/{id}/errors',
    });
    for (const { op } of operations) {
      const parameters = (op.parameters as unknown[]).map((p) => deref(doc, p));
      expect(parameters.some((p) => p.name === 'X-API-Version' && p.in === 'header' && p.required === false), String(op.operationId)).toBe(true);
      expect(op.tags, String(op.operationId)).toHaveLength(1);
      expect(op.summary, String(op.operationId)).toBeTypeOf('string');
      const responses = op.responses as Node;
      expect(responses['401'], String(op.operationId)).toBeDefined();
      expect(deref(doc, responses['429']).headers, String(op.operationId)).toHaveProperty('Retry-After');
    }
  });

  it('keeps the copies of shared fields identical in their constraints', () => {
    const p = (name: string) => properties('openapi.yaml', name);
    const pick = (props: Node, keys: string[]) => constraints(Object.fromEntries(keys.map((k) => [k, props[k]])));
    expect(constraints(p('AgentPatch'))).toEqual(constraints(p('AgentCreate')));
    expect(pick(p('Agent'), Object.keys(p('AgentCreate')))).toEqual(constraints(p('AgentCreate')));
    expect(constraints(p('SipSettingsPatch'))).toEqual(constraints(p('SipSettingsCreate')));
    const { password: _password, ...returned } = p('SipSettingsCreate');
    expect(constraints(p('SipSettings'))).toEqual(constraints(returned));
    expect(pick(p('ChannelConfig'), Object.keys(p('ChannelConfigPut')))).toEqual(constraints(p('ChannelConfigPut')));
    expect(constraints(at(docs.get('control-openapi.yaml')!, '/components/schemas/Error'))).toEqual(constraints(at(docs.get('openapi.yaml')!, '/components/schemas/Error')));
  });

  it.each([
    ['AgentCreate', { companionId: 'comp_1', voiceId: 'alloy', providerSettings: {} }, true],
    ['AgentCreate', { companionId: 'comp_1', providerSettings: {} }, false],
    ['AgentCreate', { companionId: 'comp_1', voiceId: 'alloy' }, false],
    ['AgentCreate', { companionId: 'comp_1', voiceId: 'alloy', providerSettings: { turnDetection: { threshold: 1.5 } } }, false],
    ['AgentCreate', { companionId: 'comp_1', voiceId: 'alloy', providerSettings: { vendorOnly: 1 }, unknownField: true }, true],
    ['AgentPatch', { providerSettings: null }, false],
    ['Agent', { id: 'agent_abc123', companionId: 'c', voiceId: 'v', providerSettings: {}, created: 1 }, false],
    ['SipSettingsCreate', { server: 's', port: 5060, domain: 'd', username: 'u', password: 'p', transport: 'udp' }, true],
    ['SipSettingsCreate', { server: 's', port: 5060, domain: 'd', username: 'u', password: 'p', transport: 'TLS' }, false],
    ['SipSettingsCreate', { server: 's', port: 0, domain: 'd', username: 'u', password: 'p', transport: 'TCP' }, false],
    ['SipSettings', { server: 's', port: 5060, domain: 'd', username: 'u', password: 'p', transport: 'TCP' }, false],
    ['ChannelConfig', { id: 'chanconfig_abc123def456ghi789jk', apiKeyId: 'key_3f2a9c1b7d4e', channelType: 'voip', humanHandoff: { enabled: true }, voipEndpoint: 'https://h/x', created: 1 }, false],
    ['ChannelConfig', { id: 'chanconfig_abc123def456ghi789jk', apiKeyId: 'key_3f2a9c1b7d4e', channelType: 'voip', created: 1 }, false],
    ['ChannelConfig', { id: 'chanconfig_abc123def456ghi789jk', apiKeyId: 'key_3f2a9c1b7d4e', channelType: 'sip', useGreenVideo: true, created: 1 }, false],
    ['ChannelConfig', { id: 'chanconfig_abc123def456ghi789jk', apiKeyId: 'my-secret-key', channelType: 'sip', created: 1 }, false],
    ['SipConnectionStatus', { lifecycleStatus: 'Pending', sipStatus: 'online', message: null, lastRefreshed: 1 }, false],
    ['SipConnectionStatus', { lifecycleStatus: 'Error', sipStatus: null, message: 'crashed', lastRefreshed: 1 }, true],
    ['SipConnectionStatus', { lifecycleStatus: 'Error', sipStatus: 'online', message: 'crashed', lastRefreshed: 1 }, false],
    ['SipConnectionStatus', { lifecycleStatus: 'Running', sipStatus: null, message: null, lastRefreshed: 1 }, false],
    ['SipConnectionStatus', { lifecycleStatus: 'Running', sipStatus: 'registering', message: null, lastRefreshed: 1 }, true],
    ['SipConnectionError', { timestamp: '10 March 2025', message: 'm', code: 401 }, false],
  ])('public %s: %j is %s', (name, value, valid) => {
    expect(schemaAt('openapi.yaml', name)(value)).toBe(valid);
  });
});

describe('control-openapi.yaml: the control API', () => {
  it('names exactly the public operationIds in fault rules', () => {
    // Both profiles' operations: the latest profile's document is the guide's plus its own.
    const ids = Object.values(docs.get(latestFile)!.paths as Node).flatMap((item) => Object.values(item as Node).map((op) => (op as Node).operationId));
    expect((at(docs.get('control-openapi.yaml')!, '/components/schemas/PublicOperationId') as { enum: string[] }).enum.sort()).toEqual(ids.sort());
    expectTypeOf<PublicOperationId>().toEqualTypeOf<keyof PublicOperations | keyof LatestOperations>();
  });

  it.each([
    ['FaultRuleCreate', { match: { target: 'api', operation: 'createAgent' }, action: { type: 'respond', status: 429, retryAfter: 5 }, times: 2 }, true],
    ['FaultRuleCreate', { match: { target: 'api', operation: 'createAgnet' }, action: { type: 'respond', status: 500 } }, false],
    ['FaultRuleCreate', { match: { target: 'api' }, action: { type: 'drop' } }, false],
    ['FaultRuleCreate', { match: { target: 'lifecycle', event: 'provisioning' }, action: { type: 'crash' } }, false],
    ['FaultRuleCreate', { match: { target: 'lifecycle', event: 'running' }, action: { type: 'crash', restartAfterMs: 0 } }, true],
    ['FaultRuleCreate', { match: { target: 'sip', method: 'REGISTER' }, action: { type: 'drop' }, probability: 1.5 }, false],
    ['FaultRuleCreate', { match: { target: 'sip', method: 'REGISTER' }, action: { type: 'respond', status: 401 }, times: 0 }, false],
    ['ClockAdvance', { ms: 1000 }, true],
    ['ClockAdvance', { ms: 1000, toNextTimer: true }, false],
    ['ClockAdvance', { toNextTimer: false }, false],
    ['PbxAccount', { username: 'u', domain: null, source: 'control', registered: false, contacts: [], password: 'p' }, false],
  ])('control %s: %j is %s', (name, value, valid) => {
    expect(schemaAt('control-openapi.yaml', name)(value)).toBe(valid);
  });
});
