import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv2020 as Ajv2020Type, ErrorObject, Options, ValidateFunction } from 'ajv/dist/2020.js';
import type { FormatName, FormatsPlugin } from 'ajv-formats';
import type { OpenApiDocument, ParameterSpec } from './openapiDocument.js';
import { packageRoot } from './packageRoot.js';

const require = createRequire(import.meta.url);

/**
 * The ajv options of every validator, at run time and in the build's precompiled ones.
 * validateSchema off: checking the whole document against the JSON Schema meta-schema cost
 * start-up time on every run; the documents are linted (Redocly) and checked by the test suite.
 */
export const ajvOptions: Options = { strict: false, allErrors: true, verbose: true, coerceTypes: false, validateSchema: false };

/** Only the formats the documents use: each one added costs start-up time. */
const FORMATS: FormatName[] = ['date-time', 'uri'];

/**
 * An ajv instance holding the whole document (so every `$ref` resolves inside it). ajv is loaded
 * here, on first use, not with this module: with the build's precompiled validators a start never
 * loads it (its modules were a sixth of a cold start, bench/api).
 */
export function createAjv(document: OpenApiDocument, documentId: string, extra: Options = {}): Ajv2020Type {
  const { Ajv2020 } = require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020Type };
  const formatsModule = require('ajv-formats') as FormatsPlugin & { default?: FormatsPlugin };
  // ajv-formats is CommonJS; its default export may arrive wrapped.
  const addFormats = formatsModule.default ?? formatsModule;
  const instance = new Ajv2020({ ...ajvOptions, ...extra });
  addFormats(instance, FORMATS);
  instance.addSchema({ ...document.raw, $id: documentId });
  return instance;
}

export interface OperationValidators {
  /** Returns a description of what is wrong, or undefined when valid. */
  params(input: { path: Record<string, string>; query: Record<string, unknown> }): string | undefined;
  body(body: unknown): string | undefined;
  response(status: number, body: unknown): string | undefined;
}

/** `/settings/port` → `settings.port`; array indexes as `[0]`. */
function fieldName(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra) parts.push(extra);
  return parts.reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

/** `; the known ones are a, b, c` from the schema that refused a field, when it names them. */
function knownFields(schema: unknown): string {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  const names = properties ? Object.keys(properties) : [];
  return names.length ? ` (the known ones are ${names.join(', ')})` : '';
}

/** Turns ajv's errors into one sentence that says which field is wrong and what it must be. */
export function describeErrors(errors: ErrorObject[] | null | undefined, where: string): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const error of errors ?? []) {
    const field = fieldName(error.instancePath);
    const name = field ? `'${field}'` : where;
    const custom = (error.parentSchema as { 'x-omnisip-message'?: string } | undefined)?.['x-omnisip-message'];
    let line: string;
    switch (error.keyword) {
      case 'required':
        line = `'${fieldName(error.instancePath, (error.params as { missingProperty: string }).missingProperty)}' is required`;
        break;
      case 'type':
        line = `${name} must be ${(error.params as { type: string }).type.replace(',', ' or ')}`;
        break;
      case 'enum':
        line = `${name} must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'additionalProperties':
        line = `${name} has an unknown field '${(error.params as { additionalProperty: string }).additionalProperty}'${knownFields(error.parentSchema)}`;
        break;
      default:
        line = custom ? `${name} ${custom}` : `${name} ${error.message ?? 'is invalid'}`;
    }
    // oneOf/anyOf repeat their branches' errors; keep the first sentence for each field.
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'if') continue;
    if (!seen.has(line)) {
      seen.add(line);
      lines.push(line);
    }
    if (lines.length === 5) break;
  }
  return lines.length ? `${lines.join('; ')}.` : `${where} is invalid.`;
}

function parametersSchema(parameters: ParameterSpec[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema])),
    required: parameters.filter((p) => p.required).map((p) => p.name),
  };
}

/** Compiles on first use, once: `once(() => ajv.compile(...))`. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}

/** A request validator of one operation: its path or query parameters, or its body. */
export interface RequestSchema {
  /** `<operationId>.path`, `.query` or `.body`: the name it is exported under when precompiled. */
  name: string;
  schema: Record<string, unknown>;
}

/**
 * The schemas every request is checked against, built from the OpenAPI document itself so they are
 * never written twice (DESIGN.md). The same list is compiled at run time or by the build.
 */
export function requestSchemas(document: OpenApiDocument, documentId: string): RequestSchema[] {
  const out: RequestSchema[] = [];
  // An $id of its own so that the build can export it by name; one path segment (no '/', no ':'),
  // so that the body's `<documentId>#/…` still resolves to the document as it would without one.
  const named = (name: string, schema: Record<string, unknown>) => out.push({ name, schema: { $id: `${name}.${documentId}`, ...schema } });
  for (const op of document.operations) {
    named(`${op.operationId}.path`, parametersSchema(op.parameters.filter((p) => p.in === 'path')));
    named(`${op.operationId}.query`, parametersSchema(op.parameters.filter((p) => p.in === 'query')));
    if (op.bodyPointer) named(`${op.operationId}.body`, { $ref: `${documentId}${op.bodyPointer}` });
  }
  return out;
}

/**
 * What the precompiled validators of a document were made from: the document, the schemas and the
 * options. They are used only when the running code would compile exactly the same.
 */
export function requestSchemasFingerprint(document: OpenApiDocument, schemas: RequestSchema[]): string {
  return createHash('sha256').update(JSON.stringify([ajvOptions, FORMATS, document.raw, schemas])).digest('hex');
}

/** Where the build writes a document's precompiled request validators (ajv standalone code). */
export const precompiledPath = (documentId: string, root = packageRoot()) => join(root, 'dist', 'validators', `${documentId.replace(/\.json$/, '')}.cjs`);

type Precompiled = Record<string, ValidateFunction | string>;

/** The build's validators of a document, if they were made from exactly `schemas`; else undefined. */
function loadPrecompiled(document: OpenApiDocument, path: string, schemas: RequestSchema[]): Precompiled | undefined {
  if (!existsSync(path)) return undefined;
  const module = require(path) as Precompiled;
  return module.fingerprint === requestSchemasFingerprint(document, schemas) ? module : undefined;
}

/**
 * The validators of every operation. Request validators come precompiled from the build
 * (`dist/validators/`, ajv standalone code) when it made them from this very document; otherwise,
 * as response validators always are, each is compiled when its operation is first used: compiling
 * them all up front was a third of the emulator's start-up time.
 */
export function compileValidators(document: OpenApiDocument, documentId: string, precompiledFile = precompiledPath(documentId)): Map<string, OperationValidators> {
  const ajv = once(() => createAjv(document, documentId));
  const ref = (pointer: string): ValidateFunction => ajv().compile({ $ref: `${documentId}${pointer}` });
  const schemas = requestSchemas(document, documentId);
  // Loaded on the first request of this API, not at start: the control API's is 350 KB of code.
  const precompiled = once(() => loadPrecompiled(document, precompiledFile, schemas));
  const requestValidator = (name: string) =>
    once(() => {
      const found = precompiled()?.[name];
      if (typeof found === 'function') return found;
      const schema = schemas.find((s) => s.name === name);
      return schema ? ajv().getSchema(String(schema.schema.$id)) ?? ajv().compile(schema.schema) : undefined;
    });

  const result = new Map<string, OperationValidators>();
  for (const op of document.operations) {
    const pathValidator = requestValidator(`${op.operationId}.path`) as () => ValidateFunction;
    const queryValidator = requestValidator(`${op.operationId}.query`) as () => ValidateFunction;
    const bodyValidator = requestValidator(`${op.operationId}.body`);
    const responseValidators = new Map<string, ValidateFunction>();
    const responseValidator = (status: number): ValidateFunction | undefined => {
      const key = op.responsePointers[String(status)] !== undefined ? String(status) : op.responsePointers[`${String(status)[0]}XX`] !== undefined ? `${String(status)[0]}XX` : 'default';
      const pointer = op.responsePointers[key];
      if (!pointer) return undefined;
      let validator = responseValidators.get(key);
      if (!validator) {
        validator = ref(pointer);
        responseValidators.set(key, validator);
      }
      return validator;
    };
    result.set(op.operationId, {
      params: ({ path, query }) => {
        const pathCheck = pathValidator();
        if (!pathCheck(path)) return describeErrors(pathCheck.errors, 'the path');
        const queryCheck = queryValidator();
        if (!queryCheck(query)) return describeErrors(queryCheck.errors, 'the query').replace(/'([^']+)'/, "query parameter '$1'");
        return undefined;
      },
      body: (body) => {
        const check = bodyValidator();
        return !check || check(body) ? undefined : describeErrors(check.errors, 'the body');
      },
      response: (status, body) => {
        const declared = String(status) in op.responsePointers || 'default' in op.responsePointers || `${String(status)[0]}XX` in op.responsePointers;
        if (!declared) return `status ${status} is not declared for ${op.operationId}`;
        const validator = responseValidator(status);
        if (!validator) return body === undefined || body === null ? undefined : `status ${status} of ${op.operationId} is declared without a body`;
        return validator(body) ? undefined : describeErrors(validator.errors, 'the response body');
      },
    });
  }
  return result;
}

/** Query strings are text; integer and number parameters are converted before validation. */
export function coerceQuery(parameters: ParameterSpec[], query: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of parameters) {
    if (p.in !== 'query' || query[p.name] === undefined) continue;
    const text = query[p.name]!;
    const type = p.schema.type;
    if ((type === 'integer' && /^-?\d+$/.test(text)) || (type === 'number' && text.trim() !== '' && Number.isFinite(Number(text)))) out[p.name] = Number(text);
    else if (type === 'boolean' && (text === 'true' || text === 'false')) out[p.name] = text === 'true';
    else out[p.name] = text;
  }
  return out;
}
