import type { Context } from 'hono';
import type { ApiFailure } from '../core/errors.js';
import { noteResponse, type Exchange } from './exchange.js';
import { JsonText } from './JsonText.js';

/** The headers of a JSON answer with nothing else a client acts on: shared, not built per request. */
export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json' });
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** Answers with the vendor's error envelope, its status and headers (Retry-After, Allow). */
export function respondFailure<A>(x: Exchange<A>, failure: ApiFailure): A {
  const headers = failure.headers ? { ...JSON_HEADERS, ...Object.fromEntries(Object.entries(failure.headers).map(([k, v]) => [k.toLowerCase(), v])) } : JSON_HEADERS;
  const text = JSON.stringify(failure.body);
  return x.send(failure.status, text, text, headers);
}

/** Answers JSON; the text is made once and is also what the journal keeps. */
export function respondJson<A>(x: Exchange<A>, status: number, body: unknown): A {
  if (status === 204 || body === undefined) return x.send(status, null, undefined, NO_HEADERS);
  if (body instanceof JsonText) return x.send(status, body.repeated && body.text.length >= SHARED_BYTES_FROM ? sharedBytes(body.text) : body.text, body.text, JSON_HEADERS);
  const text = JSON.stringify(body);
  return x.send(status, text, text, JSON_HEADERS);
}

/** Answers a file (a pcap, a WAV) for download; only Hono serves the routes that send one. */
export function respondFile(c: Context, bytes: Buffer, type: string, name: string): Response {
  const headers = { 'content-type': type, 'content-disposition': `attachment; filename="${name}"` };
  noteResponse(c, undefined, headers);
  return c.body(new Uint8Array(bytes), 200, headers);
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
