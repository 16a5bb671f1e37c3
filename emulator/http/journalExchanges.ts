import { flatCopy } from '../core/flatCopy.js';
import type { Journal } from '../journal/index.js';
import type { Exchange, Notes } from './exchange.js';

const EMPTY_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const CONNECTION_IN_PATH = /\/(?:sip-)?connections\/([^/?]+)/;

/**
 * Reading the journal or following it is not itself recorded (WireMock's admin requests are not in
 * its journal either), nor is a control-API read that asks not to be (`X-Omnisip-Journal: skip`,
 * the dashboard's reads): looking at the emulator must not fill its journal, or a replay, with the
 * looking. Changes are always recorded.
 */
function recorded(x: Exchange<unknown>): boolean {
  const { method, path } = x;
  if (!path.startsWith('/public') && !path.startsWith('/_emulator')) return false;
  if (method !== 'GET' || path.charCodeAt(1) !== 95 /* _ */) return true;
  return !(path === '/_emulator/journal' || path === '/_emulator/events' || x.header(SKIP_HEADER) === 'skip');
}

/** The header a control-API read sends to stay out of the journal. */
export const SKIP_HEADER = 'x-omnisip-journal';

/** How many distinct texts the interner keeps before it starts over. */
const INTERNED_MAX = 512;

/**
 * Shares the texts exchanges repeat (a path, an API key, a connection id, a content type) between
 * their journal entries. Each request brings its own copy, and the path and id are slices that keep
 * the whole request URL alive: kept in an entry, they all survived the young generation and were
 * copied into the old one, a fifth of what a connection read promoted (bench/api, 336 → 267 bytes
 * per request). One flat copy of each is kept instead; a client cycling through more than
 * INTERNED_MAX distinct texts only loses the sharing.
 */
function interner(): (text: string | undefined) => string | undefined {
  const texts = new Map<string, string>();
  return (text) => {
    if (text === undefined) return undefined;
    let shared = texts.get(text);
    if (shared === undefined) {
      if (texts.size >= INTERNED_MAX) texts.clear();
      // A copy of its own, not a slice of the URL it came from.
      shared = flatCopy(text);
      texts.set(shared, shared);
    }
    return shared;
  };
}

/**
 * Records every public and control API request with its response in the journal, once the
 * response is ready. Bodies go in as the text the route read and wrote, and headers as the route
 * set them; the journal redacts. Nothing here reparses or rereads what the route already had, and
 * the API routes call `begin` and `finish` inline (no middleware, no extra promise per request):
 * a middleware on every request cost a fifth of a busy list's throughput (bench/api).
 */
export interface ExchangeRecorder {
  /** Starts noting an exchange; undefined when this path is not recorded. */
  begin(x: Exchange<unknown>): Notes | undefined;
  /** Records the exchange begun at `started` (performance.now()) with the answer it sent. */
  finish(x: Exchange<unknown>, notes: Notes, started: number): void;
  /** begin, run, finish: for the answers off the hot path (404, 405, errors). */
  record<A>(x: Exchange<A>, run: () => A | Promise<A>): Promise<A>;
}

export function exchangeRecorder(journal: Journal): ExchangeRecorder {
  const shared = interner();
  // The connection id in a path, found once per distinct path (the path is interned, so its own text is the key).
  const connectionIds = new Map<string, string | undefined>();
  const connectionIdIn = (path: string): string | undefined => {
    if (connectionIds.has(path)) return connectionIds.get(path);
    const id = path.includes('connections/') ? shared(CONNECTION_IN_PATH.exec(path)?.[1]) : undefined;
    if (connectionIds.size >= INTERNED_MAX) connectionIds.clear();
    connectionIds.set(path, id);
    return id;
  };
  const begin = (x: Exchange<unknown>): Notes | undefined => {
    if (!recorded(x)) return undefined;
    // Every field from the start: filled in one by one, the object changed shape (and grew a
    // separate property store) up to five times per request. A handler that threw leaves its
    // notes for the error answer to complete.
    const noted: Notes = x.notes ?? {
      api: undefined,
      operationId: undefined,
      apiKey: undefined,
      requestText: undefined,
      requestContentType: undefined,
      responseText: undefined,
      responseHeaders: undefined,
      after: journal.lastSeq,
    };
    x.notes = noted;
    return noted;
  };
  const finish = (x: Exchange<unknown>, noted: Notes, started: number): void => {
    const { method, path } = x;
    const sharedPath = shared(path)!;
    // One object literal, no spreads: this runs for every request.
    journal.recordApi({
      api: noted.api ?? (path.startsWith('/public') ? 'public' : 'control'),
      method,
      path: sharedPath,
      query: shared(x.rawQuery),
      operationId: noted.operationId,
      apiKey: shared(noted.apiKey),
      connectionId: connectionIdIn(sharedPath),
      requestContentType: shared(noted.requestContentType),
      requestText: noted.requestText,
      status: x.status,
      responseHeaders: noted.responseHeaders ?? EMPTY_HEADERS,
      responseText: noted.responseText,
      durationMs: performance.now() - started,
      after: noted.after ?? journal.lastSeq,
    });
  };
  return {
    begin,
    finish,
    async record(x, run) {
      const started = performance.now();
      const noted = begin(x);
      const answer = await run();
      if (noted) finish(x, noted, started);
      return answer;
    },
  };
}
