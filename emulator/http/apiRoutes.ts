import { Hono, type Context } from 'hono';
import { ControlError } from '../control/ControlError.js';
import { apiErrors } from '../core/errors.js';
import type { FaultRules } from '../core/FaultRules.js';
import type { OpenApiDocument, OperationSpec } from './openapiDocument.js';
import type { Handler, HandlerDeps, HandlerOutput } from './handler.js';
import { JsonText } from './JsonText.js';
import type { ExchangeRecorder } from './journalExchanges.js';
import { incomingOf, requestHeader } from './requestHeader.js';
import { respondFailure, respondJson } from './respond.js';
import { coerceQuery, type OperationValidators } from './validators.js';

export interface ApiRoutesOptions {
  /** Which API these routes serve: the public one answers 401 without a key and is subject to API fault rules. */
  kind: 'public' | 'control';
  /** Route prefix the body limit applies to, e.g. `/public`. */
  prefix: string;
  document: OpenApiDocument;
  validators: Map<string, OperationValidators>;
  handlers: Record<string, Handler>;
  deps: HandlerDeps;
  faults: FaultRules;
  /** Puts each exchange in the journal. */
  recorder: ExchangeRecorder;
  maxBodyBytes: number;
  /** Validate every response against openapi.yaml and answer 500 on a mismatch (tests turn this on). */
  validateResponses: boolean;
}

const isPathParameter = (p: OperationSpec['parameters'][number]) => p.in === 'path';
const isJson = (contentType: string) => /^application\/([\w.+-]+\+)?json\b/i.test(contentType.trim());
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The methods a known route path has, for the 405 of a request with another: undefined for an unknown path. */
export type AllowedMethods = (path: string) => string[] | undefined;

/**
 * Registers every operation of openapi.yaml on `app`, each with the same pipeline:
 * faults → API key → body (size, type, JSON) → parameters and body against the spec → handler.
 * Returns the methods of each known path, for the not-found handler to answer 405 with Allow:
 * a catch-all route per path for that made every request match two handlers, and Hono then ran
 * each request through its async middleware chain (bench/api).
 */
export function registerApiRoutes(app: Hono, options: ApiRoutesOptions): AllowedMethods {
  const { document, handlers } = options;
  const missing = document.operations.filter((op) => !handlers[op.operationId]).map((op) => op.operationId);
  if (missing.length) throw new Error(`omnisip: no handler for operations ${missing.join(', ')} of the ${options.kind} API document`);

  const byPath = new Map<string, OperationSpec[]>();
  for (const op of document.operations) {
    app.on(op.method.toUpperCase(), op.routePath, (c) => handle(c, op, options));
    byPath.set(op.routePath, [...(byPath.get(op.routePath) ?? []), op]);
  }
  // As Hono matches them: a `:param` is one non-empty path segment; a trailing slash is another path.
  const escaped = (text: string) => text.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
  const known = [...byPath].map(([routePath, ops]) => ({
    pattern: new RegExp(`^${routePath.split('/').map((segment) => (segment.startsWith(':') ? '[^/]+' : escaped(segment))).join('/')}$`),
    allowed: ops.map((op) => op.method.toUpperCase()),
  }));
  return (path) => known.find((k) => k.pattern.test(path))?.allowed;
}

type Notes = NonNullable<ReturnType<ExchangeRecorder['begin']>>;
type Answer = Response | Promise<Response>;

/**
 * One exchange, journaled: the pipeline's answer is recorded before it goes out. Synchronous as
 * long as nothing waits (no body to read, no delay fault, a synchronous handler): a read is
 * answered within the request's own event, without a promise per step.
 */
function handle(c: Context, op: OperationSpec, options: ApiRoutesOptions): Answer {
  const started = performance.now();
  const notes = options.recorder.begin(c);
  if (notes) {
    notes.api = options.kind;
    notes.operationId = op.operationId;
  }
  const response = pipeline(c, op, options, notes);
  if (!notes) return response;
  if (response instanceof Promise) {
    return response.then((answered) => {
      options.recorder.finish(c, notes, answered, started);
      return answered;
    });
  }
  options.recorder.finish(c, notes, response, started);
  return response;
}

function pipeline(c: Context, op: OperationSpec, options: ApiRoutesOptions, notes: Notes | undefined): Answer {
  const apiKey = requestHeader(c, 'x-api-key')?.trim() || undefined;
  if (notes && options.kind === 'public') notes.apiKey = apiKey;

  // Fault rules first: a gateway's 429 or 503 comes before any authentication.
  if (options.kind === 'public' && options.faults.hasRulesFor('api')) {
    const fault = options.faults.check({ target: 'api', operation: op.operationId, method: c.req.method, path: c.req.path, apiKey });
    if (fault) {
      const action = fault.action;
      if (action.type === 'delay') return delay(action.ms).then(() => authenticated(c, op, options, notes, apiKey));
      if (action.type === 'respond') return respondFailure(c, apiErrors.injected(action.status, action.code, action.description, action.retryAfter));
      if (action.type === 'drop') return dropConnection(c);
    }
  }
  return authenticated(c, op, options, notes, apiKey);
}

function authenticated(c: Context, op: OperationSpec, options: ApiRoutesOptions, notes: Notes | undefined, apiKey: string | undefined): Answer {
  if (options.kind === 'public' && !apiKey) return respondFailure(c, apiErrors.unauthorized());
  if (!op.bodyPointer) return validated(c, op, options, apiKey, undefined);
  return readBody(c, options.maxBodyBytes).then((text) => {
    if (text === undefined) return respondFailure(c, apiErrors.payloadTooLarge(options.maxBodyBytes));
    const contentType = requestHeader(c, 'content-type');
    if (notes) {
      notes.requestText = text;
      notes.requestContentType = contentType;
    }
    let body: unknown;
    if (text.trim() === '') {
      if (op.bodyRequired) return respondFailure(c, apiErrors.validation('A JSON request body is required. Send a JSON object with Content-Type: application/json.'));
      body = {};
    } else {
      if (contentType && !isJson(contentType)) return respondFailure(c, apiErrors.unsupportedMediaType(contentType));
      try {
        body = JSON.parse(text);
      } catch (error) {
        return respondFailure(c, apiErrors.malformedJson((error as Error).message));
      }
    }
    return validated(c, op, options, apiKey, body);
  });
}

/** The parameters of a request without any: one shared, frozen object instead of two new ones per request. */
const NONE: Readonly<Record<string, never>> = Object.freeze({});

/** Whether the request has a query string at all, read from Node's request line when Node serves it. */
function hasQuery(c: Context): boolean {
  return (incomingOf(c)?.url ?? c.req.url).includes('?');
}

function validated(c: Context, op: OperationSpec, options: ApiRoutesOptions, apiKey: string | undefined, body: unknown): Answer {
  const validators = options.validators.get(op.operationId)!;
  // Hono builds a params object and a query object on each call: only asked when there can be some.
  const params = op.parameters.some(isPathParameter) ? (c.req.param() as Record<string, string>) : NONE;
  const query = hasQuery(c) ? coerceQuery(op.parameters, c.req.query()) : NONE;
  const paramError = validators.params({ path: params, query });
  if (paramError) return respondFailure(c, apiErrors.validation(paramError));
  if (op.bodyPointer) {
    const bodyError = validators.body(body);
    if (bodyError) return respondFailure(c, apiErrors.validation(bodyError));
  }
  const output = run(options.handlers[op.operationId]!, { apiKey, params, query, body, context: c }, options.deps);
  return output instanceof Promise ? output.then((out) => answer(c, op, options, out)) : answer(c, op, options, output);
}

function answer(c: Context, op: OperationSpec, options: ApiRoutesOptions, output: HandlerOutput): Response {
  if ('response' in output) return output.response;
  const status = 'failure' in output ? output.failure.status : output.status;
  const responseBody = 'failure' in output ? output.failure.body : output.body;
  if (options.validateResponses) {
    const validators = options.validators.get(op.operationId)!;
    const problem = validators.response(status, responseBody instanceof JsonText ? JSON.parse(responseBody.text) : responseBody);
    if (problem) {
      options.deps.logger.error(`${op.operationId} answered ${status} that does not match openapi.yaml: ${problem}`);
      return respondFailure(c, apiErrors.internal(`omnisip answered a response that does not match openapi.yaml (${op.operationId}, ${status}): ${problem}`));
    }
  }
  return 'failure' in output ? respondFailure(c, output.failure) : respondJson(c, output.status, output.body);
}

/** A control-plane failure (ControlError) becomes its envelope; anything else is a bug (500). */
function controlFailure(error: unknown): HandlerOutput {
  if (error instanceof ControlError) return { failure: error.failure };
  throw error;
}

/** Runs a handler, synchronously when it is synchronous. */
function run(handler: Handler, input: Parameters<Handler>[0], deps: HandlerDeps): HandlerOutput | Promise<HandlerOutput> {
  try {
    const output = handler(input, deps);
    return output instanceof Promise ? output.catch(controlFailure) : output;
  } catch (error) {
    return controlFailure(error);
  }
}

/**
 * The request body as text, or undefined when it is larger than `max` bytes. Under Node it is read
 * straight from the socket's stream: going through the web `Request` made @hono/node-server build
 * a full Request (with an AbortSignal) per request, a third of a create's cost (bench/api). It is
 * read with 'data' and 'end' listeners: an async iterator over the stream was a tenth of a create.
 */
async function readBody(c: Context, max: number): Promise<string | undefined> {
  const declared = Number(requestHeader(c, 'content-length'));
  if (Number.isFinite(declared) && declared > max) return undefined;
  const incoming = incomingOf(c);
  if (!incoming) {
    const text = await c.req.text();
    return Buffer.byteLength(text) > max ? undefined : text;
  }
  if (incoming.readableEnded) return '';
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
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8'));
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

/** The `drop` fault: close the TCP connection without an answer, as a dead gateway would. */
function dropConnection(c: Context): Response {
  const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming;
  if (incoming?.socket) {
    incoming.socket.destroy();
    return new Response(null, { status: 599 });
  }
  // In-process requests (app.request) have no socket to close: answer the closest thing.
  return respondFailure(c, apiErrors.serviceUnavailable('Connection dropped (omnisip fault rule).'));
}
