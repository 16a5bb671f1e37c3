import type { Context } from 'hono';
import type { ApiFailure } from '../core/errors.js';

/** Answers with the vendor's error envelope, its status and headers (Retry-After, Allow). */
export function respondFailure(c: Context, failure: ApiFailure): Response {
  for (const [name, value] of Object.entries(failure.headers ?? {})) c.header(name, value);
  return c.json(failure.body, failure.status as 400);
}

export function respondJson(c: Context, status: number, body: unknown): Response {
  if (status === 204 || body === undefined) return c.body(null, status as 204);
  return c.json(body as object, status as 200);
}
