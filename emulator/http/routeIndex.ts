import type { OpenApiDocument } from './openapiDocument.js';

/** One route of an index page. */
interface IndexedRoute {
  method: string;
  path: string;
  operationId: string;
  summary: string;
}

/** What `GET /public` and `GET /_emulator` answer: where the routes are, instead of a 404. */
export interface RouteIndex {
  title: string;
  description: string;
  docs: string;
  openapi: string;
  routes: IndexedRoute[];
}

/**
 * An index of an API's routes, built once from its OpenAPI document. A new user who opens the
 * URL the ready line printed (`/public`, `/_emulator`) gets the list of what answers there and
 * where the reference is, not an error.
 */
export function routeIndex(document: OpenApiDocument, options: Omit<RouteIndex, 'routes'>): RouteIndex {
  const paths = (document.raw.paths ?? {}) as Record<string, Record<string, { summary?: string }>>;
  const routes = document.operations.map((op) => ({
    method: op.method.toUpperCase(),
    path: op.path,
    operationId: op.operationId,
    summary: paths[op.path]?.[op.method]?.summary ?? op.operationId,
  }));
  return { ...options, routes };
}
