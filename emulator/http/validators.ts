import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import type { OpenApiDocument, OperationSpec, ParameterSpec } from './openapiDocument.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;

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

/**
 * The validators of every operation, built from the OpenAPI document itself so the schemas are
 * never written twice (DESIGN.md). Each is compiled when its operation is first used: compiling
 * them all up front was a third of the emulator's start-up time.
 */
export function compileValidators(document: OpenApiDocument, documentId: string): Map<string, OperationValidators> {
  const ajv = once(() => {
    // validateSchema off: checking the whole document against the JSON Schema meta-schema here cost
    // start-up time on every run; the documents are linted (Redocly) and checked by the test suite.
    const instance = new Ajv2020({ strict: false, allErrors: true, verbose: true, coerceTypes: false, validateSchema: false });
    // Only the formats the documents use: each one added costs start-up time.
    addFormats(instance, ['date-time', 'uri']);
    instance.addSchema({ ...document.raw, $id: documentId });
    return instance;
  });
  const ref = (pointer: string): ValidateFunction => ajv().compile({ $ref: `${documentId}${pointer}` });

  const result = new Map<string, OperationValidators>();
  for (const op of document.operations) {
    const pathValidator = once(() => ajv().compile(parametersSchema(op.parameters.filter((p) => p.in === 'path'))));
    const queryValidator = once(() => ajv().compile(parametersSchema(op.parameters.filter((p) => p.in === 'query'))));
    const bodyValidator = once(() => (op.bodyPointer ? ref(op.bodyPointer) : undefined));
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
