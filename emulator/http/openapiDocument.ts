import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseYaml as parse } from '../core/parseYaml.js';
import type { ApiProfile } from '../core/profile.js';
import { applyOverlay } from './applyOverlay.js';
import { packageRoot } from './packageRoot.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
const methods: HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete'];

export interface ParameterSpec {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Record<string, unknown>;
}

/** One operation of an OpenAPI document, as the router and the validators need it. */
export interface OperationSpec {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI form: `/public/agents/{agentId}` */
  path: string;
  /** Hono form: `/public/agents/:agentId` */
  routePath: string;
  parameters: ParameterSpec[];
  /** JSON pointer (in the document) of the request body schema, if the operation takes one. */
  bodyPointer?: string;
  bodyRequired: boolean;
  /** Status (or "default") → JSON pointer of the response body schema; absent for bodiless responses. */
  responsePointers: Record<string, string | undefined>;
}

export interface OpenApiDocument {
  /** The parsed document, used as one ajv schema so that every `$ref` resolves inside it. */
  raw: Record<string, unknown>;
  operations: OperationSpec[];
}

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

function resolveRef<T>(raw: Record<string, unknown>, value: unknown): T {
  let current = value as Record<string, unknown>;
  for (let depth = 0; current && typeof current.$ref === 'string' && depth < 10; depth++) {
    const ref = current.$ref as string;
    if (!ref.startsWith('#/')) throw new Error(`omnisip: only local $refs are supported in the OpenAPI document, got ${ref}`);
    current = ref
      .slice(2)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<Record<string, unknown>>((node, key) => node?.[key] as Record<string, unknown>, raw);
  }
  return current as T;
}

/** The overlay that makes each profile from openapi.yaml; `guide` has none. */
export const profileOverlays: Record<ApiProfile, string | undefined> = { guide: undefined, latest: 'openapi-latest.overlay.yaml' };

const mtime = (path: string) => statSync(path).mtimeMs;

/**
 * The document as parsed data: the JSON the build wrote (`dist/<name>.json`), when it is not older
 * than any file it was made from (faster start), else made again from those files.
 */
function readDocument(jsonName: string, sources: string[], make: () => Record<string, unknown>): Record<string, unknown> {
  const jsonPath = join(packageRoot(), 'dist', jsonName);
  if (existsSync(jsonPath) && sources.every((file) => mtime(jsonPath) >= mtime(join(packageRoot(), file)))) {
    return JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>;
  }
  return make();
}

const readYaml = (fileName: string) => parse(readFileSync(join(packageRoot(), fileName), 'utf8')) as Record<string, unknown>;

/** A shipped YAML document (`openapi.yaml`, `control-openapi.yaml`) as data. */
export function readYamlDocument(fileName: string): Record<string, unknown> {
  return readDocument(fileName.replace(/\.yaml$/, '.json'), [fileName], () => readYaml(fileName));
}

/** The public API document of a profile, as data: openapi.yaml with the profile's overlay applied. */
export function readProfileDocument(profile: ApiProfile): Record<string, unknown> {
  const overlay = profileOverlays[profile];
  if (!overlay) return readYamlDocument('openapi.yaml');
  return readDocument(`openapi-${profile}.json`, ['openapi.yaml', overlay], () => applyOverlay(readYaml('openapi.yaml'), readYaml(overlay)));
}

/** Reads an OpenAPI 3.1 document shipped with omnisip (`openapi.yaml`, `control-openapi.yaml`), or a profile's. */
export function loadOpenApiDocument(source: string | Record<string, unknown>): OpenApiDocument {
  const raw = typeof source === 'string' ? readYamlDocument(source) : source;
  const paths = (raw.paths ?? {}) as Record<string, Record<string, unknown>>;
  const operations: OperationSpec[] = [];
  for (const [path, item] of Object.entries(paths)) {
    const shared = (item.parameters ?? []) as unknown[];
    for (const method of methods) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (!op) continue;
      const operationId = op.operationId as string;
      const parameters = [...shared, ...((op.parameters ?? []) as unknown[])].map((p) => {
        const param = resolveRef<Record<string, unknown>>(raw, p);
        return {
          name: param.name as string,
          in: param.in as ParameterSpec['in'],
          required: Boolean(param.required),
          schema: resolveRef<Record<string, unknown>>(raw, param.schema ?? {}),
        };
      });
      const opPointer = `#/paths/${escapePointer(path)}/${method}`;
      const body = op.requestBody ? resolveRef<Record<string, unknown>>(raw, op.requestBody) : undefined;
      const bodyHasJson = Boolean((body?.content as Record<string, unknown> | undefined)?.['application/json']);
      const bodyPointer = bodyHasJson
        ? (op.requestBody as { $ref?: string }).$ref
          ? `${(op.requestBody as { $ref: string }).$ref}/content/application~1json/schema`
          : `${opPointer}/requestBody/content/application~1json/schema`
        : undefined;
      const responsePointers: Record<string, string | undefined> = {};
      for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, unknown>)) {
        const ref = (response as { $ref?: string }).$ref;
        const resolved = resolveRef<{ content?: Record<string, unknown> }>(raw, response);
        const base = ref ?? `${opPointer}/responses/${escapePointer(status)}`;
        responsePointers[status] = resolved.content?.['application/json'] ? `${base}/content/application~1json/schema` : undefined;
      }
      operations.push({
        operationId,
        method,
        path,
        routePath: path.replace(/\{([^}]+)\}/g, ':$1'),
        parameters,
        ...(bodyPointer ? { bodyPointer } : {}),
        bodyRequired: Boolean(body?.required),
        responsePointers,
      });
    }
  }
  return { raw, operations };
}
