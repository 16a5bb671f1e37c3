import type { Context, MiddlewareHandler } from 'hono';
import type { ApiExchange, Journal } from '../journal/index.js';

/** What the route learns of an exchange as it runs, for the journal entry written after it. */
type Notes = Partial<Pick<ApiExchange, 'api' | 'operationId' | 'apiKey' | 'requestText' | 'responseText'>>;

const notes = new WeakMap<Context, Notes>();

/** Response headers worth keeping: what a client acts on. */
const KEPT_HEADERS = ['content-type', 'retry-after', 'allow', 'location', 'content-disposition'];
const CONNECTION_IN_PATH = /\/(?:sip-)?connections\/([^/]+)/;

/** Adds what the route knows (operation, key, body texts) to the exchange being recorded. */
export function noteExchange(c: Context, fields: Notes): void {
  const current = notes.get(c);
  if (current) Object.assign(current, fields);
}

/** Reading the journal or following it is not itself recorded (WireMock's admin requests are not in its journal either). */
function recorded(method: string, path: string): boolean {
  if (!path.startsWith('/public') && !path.startsWith('/_emulator')) return false;
  return !(method === 'GET' && (path === '/_emulator/journal' || path === '/_emulator/events'));
}

/**
 * Records every public and control API request with its response in the journal, once the
 * response is ready. Bodies go in as the text the route read and wrote; the journal redacts.
 */
export function journalExchanges(journal: Journal): MiddlewareHandler {
  return async (c, next) => {
    const { method, path } = c.req;
    if (!recorded(method, path)) return next();
    const started = performance.now();
    const noted: Notes = {};
    notes.set(c, noted);
    await next();
    const response = c.res;
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    const url = c.req.url;
    const q = url.indexOf('?');
    const connectionId = CONNECTION_IN_PATH.exec(path)?.[1];
    const contentType = c.req.header('content-type');
    journal.recordApi({
      api: noted.api ?? (path.startsWith('/public') ? 'public' : 'control'),
      method,
      path,
      ...(q !== -1 && { query: url.slice(q + 1) }),
      ...(noted.operationId !== undefined && { operationId: noted.operationId }),
      ...(noted.apiKey !== undefined && { apiKey: noted.apiKey }),
      ...(connectionId !== undefined && { connectionId }),
      ...(contentType !== undefined && { requestContentType: contentType }),
      ...(noted.requestText !== undefined && { requestText: noted.requestText }),
      status: response.status,
      responseHeaders: headers,
      ...(noted.responseText !== undefined && { responseText: noted.responseText }),
      durationMs: performance.now() - started,
    });
  };
}
