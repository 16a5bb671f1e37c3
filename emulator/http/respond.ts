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
  if (body instanceof JsonText) return sendJson(c, status, body.text, JSON_HEADERS, body.repeated && body.text.length >= SHARED_BYTES_FROM);
  return sendJson(c, status, JSON.stringify(body), JSON_HEADERS);
}

/** Answers a file (a pcap, a WAV) for download. */
export function respondFile(c: Context, bytes: Buffer, type: string, name: string): Response {
  const headers = { 'content-type': type, 'content-disposition': `attachment; filename="${name}"` };
  noteResponse(c, undefined, headers);
  return c.body(new Uint8Array(bytes), 200, headers);
}

function sendJson(c: Context, status: number, text: string, headers: Readonly<Record<string, string>>, share = false): Response {
  noteResponse(c, text, headers);
  // A fresh object each time: the Node adapter may add to it, and c.header() would build a Headers per response.
  return c.body(share ? sharedBytes(text) : text, status as 200, { 'Content-Type': 'application/json' });
}

/** From this length on, a repeated body's bytes are kept for the next response with the very same text. */
const SHARED_BYTES_FROM = 2048;
const MAX_SHARED = 16;
const shared = new Map<string, Uint8Array<ArrayBuffer>>();
const utf8 = new TextEncoder();

/**
 * The UTF-8 bytes of a large body, encoded once while the same text is answered again (a list that
 * has not changed, see AgentStore.listJson): Node then writes them as they are, where a string body
 * was copied into the header's string and encoded again on every response.
 */
function sharedBytes(text: string): Uint8Array<ArrayBuffer> {
  let bytes = shared.get(text);
  if (bytes === undefined) {
    if (shared.size >= MAX_SHARED) shared.clear();
    // Its own memory, not a slice of Node's shared Buffer pool that it would keep alive.
    bytes = utf8.encode(text);
    shared.set(text, bytes);
  }
  return bytes;
}
