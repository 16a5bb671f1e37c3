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

const isJson = (contentType: string) => /^application\/([\w.+-]+\+)?json\b/i.test(contentType.trim());
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Registers every operation of openapi.yaml on `app`, each with the same pipeline:
 * faults → API key → body (size, type, JSON) → parameters and body against the spec → handler.
 */
export function registerApiRoutes(app: Hono, options: ApiRoutesOptions): void {
  const { document, handlers } = options;
  const missing = document.operations.filter((op) => !handlers[op.operationId]).map((op) => op.operationId);
  if (missing.length) throw new Error(`omnisip: no handler for operations ${missing.join(', ')} of the ${options.kind} API document`);

  const byPath = new Map<string, OperationSpec[]>();
  for (const op of document.operations) {
    app.on(op.method.toUpperCase(), op.routePath, (c) => handle(c, op, options));
    byPath.set(op.routePath, [...(byPath.get(op.routePath) ?? []), op]);
  }
  // A known path with a method it does not have: 405 with Allow, not 404.
  for (const [routePath, ops] of byPath) {
    const allowed = ops.map((op) => op.method.toUpperCase());
    app.all(routePath, (c) => options.recorder.record(c, () => respondFailure(c, apiErrors.methodNotAllowed(c.req.method, c.req.path, allowed))));
  }
}

/** One exchange, journaled: the pipeline's answer is recorded before it goes out. */
async function handle(c: Context, op: OperationSpec, options: ApiRoutesOptions): Promise<Response> {
  const started = performance.now();
  const notes = options.recorder.begin(c);
  if (notes) {
    notes.api = options.kind;
    notes.operationId = op.operationId;
  }
  const response = await pipeline(c, op, options, notes);
  if (notes) options.recorder.finish(c, notes, response, started);
  return response;
}

type Notes = NonNullable<ReturnType<ExchangeRecorder['begin']>>;

async function pipeline(c: Context, op: OperationSpec, options: ApiRoutesOptions, notes: Notes | undefined): Promise<Response> {
  const apiKey = requestHeader(c, 'x-api-key')?.trim() || undefined;
  if (notes && options.kind === 'public') notes.apiKey = apiKey;

  // Fault rules first: a gateway's 429 or 503 comes before any authentication.
  if (options.kind === 'public' && options.faults.hasRulesFor('api')) {
    const fault = options.faults.check({ target: 'api', operation: op.operationId, method: c.req.method, path: c.req.path, apiKey });
    if (fault) {
      const action = fault.action;
      if (action.type === 'delay') await delay(action.ms);
      else if (action.type === 'respond') return respondFailure(c, apiErrors.injected(action.status, action.code, action.description, action.retryAfter));
      else if (action.type === 'drop') return dropConnection(c);
    }
  }

  if (options.kind === 'public' && !apiKey) return respondFailure(c, apiErrors.unauthorized());

  let body: unknown;
  if (op.bodyPointer) {
    const text = await readBody(c, options.maxBodyBytes);
    if (text === undefined) return respondFailure(c, apiErrors.payloadTooLarge(options.maxBodyBytes));
    const contentType = requestHeader(c, 'content-type');
    if (notes) {
      notes.requestText = text;
      notes.requestContentType = contentType;
    }
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
  }

  const validators = options.validators.get(op.operationId)!;
  const params = c.req.param() as Record<string, string>;
  const query = coerceQuery(op.parameters, c.req.query());
  const paramError = validators.params({ path: params, query });
  if (paramError) return respondFailure(c, apiErrors.validation(paramError));
  if (op.bodyPointer) {
    const bodyError = validators.body(body);
    if (bodyError) return respondFailure(c, apiErrors.validation(bodyError));
  }

  const output = await run(options.handlers[op.operationId]!, { apiKey, params, query, body, context: c }, options.deps);
  if ('response' in output) return output.response;
  const status = 'failure' in output ? output.failure.status : output.status;
  const responseBody = 'failure' in output ? output.failure.body : output.body;
  if (options.validateResponses) {
    const problem = validators.response(status, responseBody instanceof JsonText ? JSON.parse(responseBody.text) : responseBody);
    if (problem) {
      options.deps.logger.error(`${op.operationId} answered ${status} that does not match openapi.yaml: ${problem}`);
      return respondFailure(c, apiErrors.internal(`omnisip answered a response that does not match openapi.yaml (${op.operationId}, ${status}): ${problem}`));
    }
  }
  return 'failure' in output ? respondFailure(c, output.failure) : respondJson(c, output.status, output.body);
}

/** Runs a handler; a control-plane failure (ControlError) becomes its envelope, anything else is a bug (500). */
async function run(handler: Handler, input: Parameters<Handler>[0], deps: HandlerDeps): Promise<HandlerOutput> {
  try {
    return await handler(input, deps);
  } catch (error) {
    if (error instanceof ControlError) return { failure: error.failure };
    throw error;
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
