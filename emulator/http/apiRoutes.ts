import type { Hono } from 'hono';
import { ControlError } from '../control/ControlError.js';
import { apiErrors } from '../core/errors.js';
import type { FaultRules } from '../core/FaultRules.js';
import type { OpenApiDocument, OperationSpec } from './openapiDocument.js';
import type { Handler, HandlerDeps, HandlerOutput } from './handler.js';
import { JsonText } from './JsonText.js';
import { honoExchange, type Exchange, type Notes } from './exchange.js';
import type { ExchangeRecorder } from './journalExchanges.js';
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
    app.on(op.method.toUpperCase(), op.routePath, (c) => handle(honoExchange(c), op, options));
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

type Answer<A> = A | Promise<A>;

/**
 * One exchange, journaled: the pipeline's answer is recorded before it goes out. Synchronous as
 * long as nothing waits (no body to read, no delay fault, a synchronous handler): a read is
 * answered within the request's own event, without a promise per step. Hono (`app.request()` and
 * the app's routes) and Node itself (nodeRoutes.ts) run the same pipeline.
 */
export function handle<A>(x: Exchange<A>, op: OperationSpec, options: ApiRoutesOptions): Answer<A> {
  const started = performance.now();
  const notes = options.recorder.begin(x);
  if (notes) {
    notes.api = options.kind;
    notes.operationId = op.operationId;
  }
  const answer = pipeline(x, op, options, notes);
  if (!notes) return answer;
  if (answer instanceof Promise) {
    return answer.then((answered) => {
      options.recorder.finish(x, notes, started);
      return answered;
    });
  }
  options.recorder.finish(x, notes, started);
  return answer;
}

function pipeline<A>(x: Exchange<A>, op: OperationSpec, options: ApiRoutesOptions, notes: Notes | undefined): Answer<A> {
  const apiKey = x.header('x-api-key')?.trim() || undefined;
  if (notes && options.kind === 'public') notes.apiKey = apiKey;

  // Fault rules first: a gateway's 429 or 503 comes before any authentication.
  if (options.kind === 'public' && options.faults.hasRulesFor('api')) {
    const fault = options.faults.check({ target: 'api', operation: op.operationId, method: x.method, path: x.path, apiKey });
    if (fault) {
      const action = fault.action;
      if (action.type === 'delay') return delay(action.ms).then(() => authenticated(x, op, options, notes, apiKey));
      if (action.type === 'respond') return respondFailure(x, apiErrors.injected(action.status, action.code, action.description, action.retryAfter));
      // In-process requests (app.request) have no connection to close: answer the closest thing.
      if (action.type === 'drop') return x.canDrop ? x.drop() : respondFailure(x, apiErrors.serviceUnavailable('Connection dropped (omnisip fault rule).'));
    }
  }
  return authenticated(x, op, options, notes, apiKey);
}

function authenticated<A>(x: Exchange<A>, op: OperationSpec, options: ApiRoutesOptions, notes: Notes | undefined, apiKey: string | undefined): Answer<A> {
  if (options.kind === 'public' && !apiKey) return respondFailure(x, apiErrors.unauthorized());
  if (!op.bodyPointer) return validated(x, op, options, apiKey, undefined);
  return x.readBody(options.maxBodyBytes).then((text) => {
    if (text === undefined) return respondFailure(x, apiErrors.payloadTooLarge(options.maxBodyBytes));
    const contentType = x.header('content-type');
    if (notes) {
      notes.requestText = text;
      notes.requestContentType = contentType;
    }
    let body: unknown;
    if (text.trim() === '') {
      if (op.bodyRequired) return respondFailure(x, apiErrors.validation('A JSON request body is required. Send a JSON object with Content-Type: application/json.'));
      body = {};
    } else {
      if (contentType && !isJson(contentType)) return respondFailure(x, apiErrors.unsupportedMediaType(contentType));
      try {
        body = JSON.parse(text);
      } catch (error) {
        return respondFailure(x, apiErrors.malformedJson((error as Error).message));
      }
    }
    return validated(x, op, options, apiKey, body);
  });
}

/** The parameters of a request without any: one shared, frozen object instead of two new ones per request. */
const NONE: Readonly<Record<string, never>> = Object.freeze({});

function validated<A>(x: Exchange<A>, op: OperationSpec, options: ApiRoutesOptions, apiKey: string | undefined, body: unknown): Answer<A> {
  const validators = options.validators.get(op.operationId)!;
  // A params object and a query object are built only when there can be some.
  const params = op.parameters.some(isPathParameter) ? x.params() : NONE;
  const query = x.rawQuery !== undefined ? coerceQuery(op.parameters, x.query()) : NONE;
  const paramError = validators.params({ path: params, query });
  if (paramError) return respondFailure(x, apiErrors.validation(paramError));
  if (op.bodyPointer) {
    const bodyError = validators.body(body);
    if (bodyError) return respondFailure(x, apiErrors.validation(bodyError));
  }
  const output = run(options.handlers[op.operationId]!, { apiKey, params, query, body, context: x.context }, options.deps);
  return output instanceof Promise ? output.then((out) => answer(x, op, options, out)) : answer(x, op, options, output);
}

function answer<A>(x: Exchange<A>, op: OperationSpec, options: ApiRoutesOptions, output: HandlerOutput): A {
  if ('response' in output) return x.pass(output.response);
  const status = 'failure' in output ? output.failure.status : output.status;
  const responseBody = 'failure' in output ? output.failure.body : output.body;
  if (options.validateResponses) {
    const validators = options.validators.get(op.operationId)!;
    const problem = validators.response(status, responseBody instanceof JsonText ? JSON.parse(responseBody.text) : responseBody);
    if (problem) {
      options.deps.logger.error(`${op.operationId} answered ${status} that does not match openapi.yaml: ${problem}`);
      return respondFailure(x, apiErrors.internal(`omnisip answered a response that does not match openapi.yaml (${op.operationId}, ${status}): ${problem}`));
    }
  }
  return 'failure' in output ? respondFailure(x, output.failure) : respondJson(x, output.status, output.body);
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
