import type { Context } from 'hono';
import type { ApiFailure } from '../core/errors.js';
import { JsonText } from './JsonText.js';

/** Answers with the vendor's error envelope, its status and headers (Retry-After, Allow). */
export function respondFailure(c: Context, failure: ApiFailure): Response {
  for (const [name, value] of Object.entries(failure.headers ?? {})) c.header(name, value);
  return c.json(failure.body, failure.status as 400);
}

export function respondJson(c: Context, status: number, body: unknown): Response {
  if (status === 204 || body === undefined) return c.body(null, status as 204);
  if (body instanceof JsonText) return c.body(body.text, status as 200, { 'Content-Type': 'application/json' });
  return c.json(body as object, status as 200);
}
