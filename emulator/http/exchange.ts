import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { ApiExchange } from '../journal/index.js';
import { incomingOf, requestHeader } from './requestHeader.js';

/** What the route learns of an exchange as it runs, for the journal entry written after it. */
export type Notes = Partial<Pick<ApiExchange, 'api' | 'operationId' | 'apiKey' | 'requestText' | 'requestContentType' | 'responseText' | 'responseHeaders' | 'after'>>;

/**
 * One API request and its answer as the pipeline (apiRoutes.ts) sees it, whoever serves it: Hono
 * (in-process `app.request()`, and every route but the public API's operations), or Node itself
 * (nodeRoutes.ts, the public API's operations under `omnisip start`). `A` is what answering gives
 * back: a web Response under Hono; nothing under Node, where the answer goes to the socket at once.
 */
export interface Exchange<A> {
  readonly method: string;
  /** The path, without the query string. */
  readonly path: string;
  /** The query string without its '?'; undefined when there is none or it is empty. */
  readonly rawQuery: string | undefined;
  /** A request header (name in lower case); repeated headers joined with ', ' as `Headers.get` joins them. */
  header(name: string): string | undefined;
  /** The matched route's path parameters, decoded. */
  params(): Record<string, string>;
  /** The query's parameters, decoded; the first value of a repeated name. */
  query(): Record<string, string>;
  /** The body as text, or undefined when it is larger than `max` bytes. */
  readBody(max: number): Promise<string | undefined>;
  /**
   * Answers `status` with `body` (null for none) and `headers` (names in lower case, content type
   * included), and notes the text and headers for the journal.
   */
  send(status: number, body: string | Uint8Array<ArrayBuffer> | null, text: string | undefined, headers: Readonly<Record<string, string>>): A;
  /** A web Response a handler made (an event stream, a file): only an exchange served by Hono gets one. */
  pass(response: Response): A;
  /** Whether there is a connection to close (not for in-process requests). */
  readonly canDrop: boolean;
  /** Closes the connection without an answer (the `drop` fault); only when `canDrop`. */
  drop(): A;
  /** The status answered, 0 before. */
  readonly status: number;
  /** The journal's notes, while the exchange is being recorded. */
  notes: Notes | undefined;
  /** The Hono context, when Hono serves the request (the handlers that stream or send files use it). */
  readonly context: Context | undefined;
}

/**
 * The request body as text, or undefined when it is larger than `max` bytes, read straight from
 * Node's request stream: going through the web `Request` made @hono/node-server build a full
 * Request (with an AbortSignal) per request, a third of a create's cost (bench/api). It is read
 * with 'data' and 'end' listeners: an async iterator over the stream was a tenth of a create.
 */
export function readIncomingBody(incoming: IncomingMessage & { readableEnded?: boolean }, max: number): Promise<string | undefined> {
  const declared = Number(incoming.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve(undefined);
  if (incoming.readableEnded) return Promise.resolve('');
  return new Promise<string | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      chunks.push(chunk);
      // Past the limit the rest is not read (a chunked upload with no Content-Length): the answer is 413.
      if (size > max) {
        settle();
        resolve(undefined);
      }
    };
    const onEnd = (): void => {
      settle();
      const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
      // As the web Request's text() (TextDecoder) reads it, and as RFC 8259 §8.1 lets a parser: without a leading BOM.
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    };
    const onError = (error: Error): void => {
      settle();
      reject(error);
    };
    // A client gone before the end of its body: nothing to answer.
    const onClose = (): void => onError(new Error('the client closed the connection before the end of the request body'));
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

/** Where a Hono context keeps its exchange: a throwing handler's notes are completed by the error answer. */
const EXCHANGE = Symbol('omnisip.exchange');
type WithExchange = Context & { [EXCHANGE]?: HonoExchange };

/** The query string of a request target, without its '?'; undefined when there is none or it is empty. */
export function queryOfTarget(target: string): string | undefined {
  const q = target.indexOf('?');
  return q === -1 || q === target.length - 1 ? undefined : target.slice(q + 1);
}

class HonoExchange implements Exchange<Response> {
  readonly method: string;
  readonly path: string;
  status = 0;
  notes: Notes | undefined = undefined;

  constructor(readonly context: Context) {
    this.method = context.req.method;
    this.path = context.req.path;
  }

  get rawQuery(): string | undefined {
    // From Node's request line when Node serves the request: no URL object per request.
    return queryOfTarget(incomingOf(this.context)?.url ?? this.context.req.url);
  }

  header(name: string): string | undefined {
    return requestHeader(this.context, name);
  }

  params(): Record<string, string> {
    return this.context.req.param() as Record<string, string>;
  }

  query(): Record<string, string> {
    return this.context.req.query();
  }

  async readBody(max: number): Promise<string | undefined> {
    const incoming = incomingOf(this.context);
    if (incoming) return readIncomingBody(incoming, max);
    const declared = Number(this.header('content-length'));
    if (Number.isFinite(declared) && declared > max) return undefined;
    const text = await this.context.req.text();
    return Buffer.byteLength(text) > max ? undefined : text;
  }

  send(status: number, body: string | Uint8Array<ArrayBuffer> | null, text: string | undefined, headers: Readonly<Record<string, string>>): Response {
    this.status = status;
    noteOn(this.notes, text, headers);
    // A fresh object: the Node adapter may add to the one it is given.
    return body === null ? this.context.body(null, status as 204, { ...headers }) : this.context.body(body, status as 200, { ...headers });
  }

  pass(response: Response): Response {
    this.status = response.status;
    return response;
  }

  get canDrop(): boolean {
    return incomingOf(this.context)?.socket !== undefined;
  }

  drop(): Response {
    incomingOf(this.context)?.socket.destroy();
    this.status = 599;
    return new Response(null, { status: 599 });
  }
}

/** The exchange of a request Hono serves: one per request, the same one for its error answer. */
export function honoExchange(c: Context): Exchange<Response> {
  return ((c as WithExchange)[EXCHANGE] ??= new HonoExchange(c));
}

function noteOn(notes: Notes | undefined, text: string | undefined, headers: Readonly<Record<string, string>>): void {
  if (notes === undefined) return;
  notes.responseText = text;
  notes.responseHeaders = headers;
}

/** Notes a response a route built itself (a file) for the exchange being recorded. */
export function noteResponse(c: Context, text: string | undefined, headers: Readonly<Record<string, string>>): void {
  noteOn((c as WithExchange)[EXCHANGE]?.notes, text, headers);
}
