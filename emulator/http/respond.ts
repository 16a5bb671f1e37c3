import type { Context } from 'hono';
import type { ApiFailure } from '../core/errors.js';
import { JSON_HEADERS, noteResponse } from './journalExchanges.js';
import { JsonText } from './JsonText.js';

/** Answers with the vendor's error envelope, its status and headers (Retry-After, Allow). */
export function respondFailure(c: Context, failure: ApiFailure): Response {
  const extra = failure.headers ?? {};
  for (const [name, value] of Object.entries(extra)) c.header(name, value);
  const headers = failure.headers ? { ...JSON_HEADERS, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k.toLowerCase(), v])) } : JSON_HEADERS;
  return sendJson(c, failure.status, JSON.stringify(failure.body), headers);
}

/** Answers JSON; the text is made once and is also what the journal keeps. */
export function respondJson(c: Context, status: number, body: unknown): Response {
  if (status === 204 || body === undefined) return c.body(null, status as 204);
  return sendJson(c, status, body instanceof JsonText ? body.text : JSON.stringify(body), JSON_HEADERS);
}

/** Answers a file (a pcap, a WAV) for download. */
export function respondFile(c: Context, bytes: Buffer, type: string, name: string): Response {
  const headers = { 'content-type': type, 'content-disposition': `attachment; filename="${name}"` };
  noteResponse(c, undefined, headers);
  return c.body(new Uint8Array(bytes), 200, headers);
}

function sendJson(c: Context, status: number, text: string, headers: Readonly<Record<string, string>>): Response {
  noteResponse(c, text, headers);
  // A fresh object each time: the Node adapter may add to it, and c.header() would build a Headers per response.
  return c.body(text, status as 200, { 'Content-Type': 'application/json' });
}
