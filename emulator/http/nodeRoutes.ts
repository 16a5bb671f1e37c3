import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import { getQueryParam } from 'hono/utils/url';
import { apiErrors } from '../core/errors.js';
import { handle, type ApiRoutesOptions } from './apiRoutes.js';
import { queryOfTarget, readIncomingBody, type Exchange, type Notes } from './exchange.js';
import type { OperationSpec } from './openapiDocument.js';
import { incomingHeader } from './requestHeader.js';
import { respondFailure } from './respond.js';

/** A route of the public API as Node matches it: its path's segments, `:name` for a parameter. */
interface Route {
  op: OperationSpec;
  segments: string[];
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The request listener `omnisip start` serves with: the public API's operations straight from
 * Node's request and response, everything else (the control API, docs, the dashboard, and any
 * request the routes below do not match exactly) through the Hono app.
 *
 * Why: @hono/node-server makes each request a web Request and each answer a web Response, and Hono
 * a Context around them; on the public API that adaptation was more than a third of a request's
 * cost (bench/api: a bare Hono route answered 32,500 requests/s where Node's own server answered
 * 46,000 on the same machine). The operations run the very pipeline Hono runs (apiRoutes.ts
 * `handle`: faults, key, body, validation, handler, journal), over a Node exchange instead of a
 * Hono one, so an answer is the same either way; a test checks that (nodeRoutes.test.ts).
 *
 * Only an exact match is served here, as Hono would match it: the method, and each literal segment,
 * with a parameter one non-empty segment; the first operation in the document's order wins. A path
 * with a percent-escape, a trailing slash or an empty segment, HEAD, OPTIONS and anything
 * unmatched go to Hono, which decodes, redirects, answers 404/405 with their hints and records them.
 */
export function nodeRequestListener(app: Hono, options: ApiRoutesOptions): RequestListener {
  const viaHono = getRequestListener(app.fetch);
  const routes = new Map<string, Route[]>();
  for (const op of options.document.operations) {
    const method = op.method.toUpperCase();
    const route = { op, segments: op.routePath.split('/') };
    routes.set(method, [...(routes.get(method) ?? []), route]);
  }
  return (req, res) => {
    const target = req.url ?? '';
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    const candidates = METHODS.has(req.method ?? '') && path.startsWith(options.prefix) && !path.includes('%') ? routes.get(req.method!) : undefined;
    if (candidates !== undefined) {
      const segments = path.split('/');
      for (const route of candidates) {
        const params = matchRoute(route.segments, segments);
        if (params !== undefined) return serve(new NodeExchange(req, res, path, target, params), route.op, options);
      }
    }
    return void viaHono(req, res);
  };
}

/** The path parameters when `segments` match the route's exactly, otherwise undefined. */
function matchRoute(route: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (route.length !== segments.length) return undefined;
  let params: Record<string, string> | undefined;
  for (let i = 0; i < route.length; i++) {
    const want = route[i]!;
    const got = segments[i]!;
    if (want.charCodeAt(0) === 58 /* : */) {
      if (got === '') return undefined;
      (params ??= {})[want.slice(1)] = got;
    } else if (want !== got) {
      return undefined;
    }
  }
  return params ?? NO_PARAMS;
}

/** Runs the pipeline; a handler that throws is a 500 in the envelope, logged and recorded, as Hono's onError answers it. */
function serve(x: NodeExchange, op: OperationSpec, options: ApiRoutesOptions): void {
  try {
    const answered = handle(x, op, options);
    if (answered instanceof Promise) answered.catch((error: unknown) => failed(x, options, error));
  } catch (error) {
    failed(x, options, error);
  }
}

function failed(x: NodeExchange, options: ApiRoutesOptions, error: unknown): void {
  options.deps.logger.error(`${x.method} ${x.path} failed: ${(error as Error).stack ?? (error as Error).message}`);
  if (x.answered || x.res.destroyed) return;
  void options.recorder.record(x, () => respondFailure(x, apiErrors.internal()));
}

/** An exchange served by Node itself: the answer is written to the response at once. */
class NodeExchange implements Exchange<void> {
  readonly method: string;
  status = 0;
  answered = false;
  notes: Notes | undefined = undefined;
  readonly context = undefined;
  readonly canDrop = true;
  private queryValues: Record<string, string> | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly path: string,
    private readonly target: string,
    private readonly pathParams: Record<string, string>,
  ) {
    this.method = req.method!;
  }

  get rawQuery(): string | undefined {
    return queryOfTarget(this.target);
  }

  header(name: string): string | undefined {
    return incomingHeader(this.req, name);
  }

  params(): Record<string, string> {
    return this.pathParams;
  }

  query(): Record<string, string> {
    // Hono's own parser (it reads from the first '?' after the scheme and host), so the values are the ones Hono would give.
    return (this.queryValues ??= getQueryParam(`http://h${this.target}`) as Record<string, string>);
  }

  readBody(max: number): Promise<string | undefined> {
    return readIncomingBody(this.req, max);
  }

  send(status: number, body: string | Uint8Array<ArrayBuffer> | null, text: string | undefined, headers: Readonly<Record<string, string>>): void {
    this.status = status;
    this.answered = true;
    if (this.notes !== undefined) {
      this.notes.responseText = text;
      this.notes.responseHeaders = headers;
    }
    if (this.res.destroyed) return;
    if (body === null) {
      this.res.writeHead(status, headers);
      this.res.end();
      return;
    }
    this.res.writeHead(status, { ...headers, 'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength });
    this.res.end(body);
  }

  pass(): void {
    // Public handlers answer JSON; a Response is made only by control handlers, which Hono serves.
    throw new Error('omnisip: a public API handler answered a web Response, which only routes served by Hono may');
  }

  drop(): void {
    this.status = 599;
    this.answered = true;
    this.req.socket.destroy();
  }
}
