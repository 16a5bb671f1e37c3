import type { Context } from 'hono';
import type { ApiFailure } from '../core/errors.js';
import { noteExchange } from './journalExchanges.js';
import { JsonText } from './JsonText.js';

/** Answers with the vendor's error envelope, its status and headers (Retry-After, Allow). */
export function respondFailure(c: Context, failure: ApiFailure): Response {
  for (const [name, value] of Object.entries(failure.headers ?? {})) c.header(name, value);
  return sendJson(c, failure.status, JSON.stringify(failure.body));
}

/** Answers JSON; the text is made once and is also what the journal keeps. */
export function respondJson(c: Context, status: number, body: unknown): Response {
  if (status === 204 || body === undefined) return c.body(null, status as 204);
  return sendJson(c, status, body instanceof JsonText ? body.text : JSON.stringify(body));
}

function sendJson(c: Context, status: number, text: string): Response {
  noteExchange(c, { responseText: text });
  c.header('Content-Type', 'application/json');
  return c.body(text, status as 200);
}
