import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestListener } from 'node:http';
import { Hono } from 'hono';
import type { ApiProfile } from '../core/profile.js';
import { apiErrors } from '../core/errors.js';
import { stringifyYaml } from '../core/parseYaml.js';
import type { FaultRules } from '../core/FaultRules.js';
import { registerApiRoutes } from './apiRoutes.js';
import { controlHandlers } from './controlHandlers.js';
import { registerDashboardRoutes } from './dashboardRoutes.js';
import { registerDocsRoutes } from './docsRoutes.js';
import type { Journal } from '../journal/index.js';
import type { HandlerDeps } from './handler.js';
import { honoExchange } from './exchange.js';
import { exchangeRecorder } from './journalExchanges.js';
import { nodeRequestListener } from './nodeRoutes.js';
import { loadOpenApiDocument, readProfileDocument, type OpenApiDocument } from './openapiDocument.js';
import { packageRoot } from './packageRoot.js';
import { publicHandlers } from './publicHandlers.js';
import { respondFailure } from './respond.js';
import { routeIndex } from './routeIndex.js';
import { compileValidators, type OperationValidators } from './validators.js';

export interface AppOptions {
  /** The public API's profile: which document routes, validates and documents it. */
  profile: ApiProfile;
  deps: HandlerDeps;
  /** Every API request and response is recorded in it. */
  journal: Journal;
  faults: FaultRules;
  maxBodyBytes: number;
  validateResponses: boolean;
}

interface LoadedApi {
  document: OpenApiDocument;
  validators: Map<string, OperationValidators>;
}

const loaded = new Map<string, LoadedApi>();

const served = new Map<string, string>();

/** The YAML text a document is served as, made once per process (every world of a test run serves the same). */
function servedText(name: string, make: () => string): string {
  let text = served.get(name);
  if (text === undefined) served.set(name, (text = make()));
  return text;
}

/** Parses a document and compiles its validators once per process: they never change at run time. */
function loadApi(name: string, read: () => OpenApiDocument): LoadedApi {
  let api = loaded.get(name);
  if (!api) {
    const document = read();
    api = { document, validators: compileValidators(document, `omnisip-${name}.json`) };
    loaded.set(name, api);
  }
  return api;
}

/** The HTTP side: the Hono app (test it in-process with `app.request()`) and the Node listener that serves it. */
export interface HttpApp {
  /** Every route: public API, control API, docs, dashboard. */
  app: Hono;
  /** What the HTTP server runs: the public API's operations served by Node directly, the rest by `app` (nodeRoutes.ts). */
  listener: RequestListener;
}

/** The whole HTTP side: public API, control API, docs. */
export function createApp(options: AppOptions): HttpApp {
  const publicApi = loadApi(`public-${options.profile}`, () => loadOpenApiDocument(readProfileDocument(options.profile)));
  const controlApi = loadApi('control', () => loadOpenApiDocument('control-openapi.yaml'));
  const app = new Hono();
  const recorder = exchangeRecorder(options.journal);

  const common = { deps: options.deps, faults: options.faults, recorder, maxBodyBytes: options.maxBodyBytes, validateResponses: options.validateResponses };
  const publicRoutes = { kind: 'public', prefix: '/public', ...publicApi, handlers: publicHandlers, ...common } as const;
  const publicMethods = registerApiRoutes(app, publicRoutes);
  const controlMethods = registerApiRoutes(app, { kind: 'control', prefix: '/_emulator', ...controlApi, handlers: controlHandlers, ...common });

  const root = packageRoot();
  // The public document of the profile that runs: openapi.yaml itself, or the overlay's result.
  // Made on the first GET, not at start: the latest profile's is stringified by the YAML library,
  // whose loading alone was about 10% of a cold start (bench/api).
  const publicYaml = () => servedText(`public-${options.profile}`, () => (options.profile === 'guide' ? readFileSync(join(root, 'openapi.yaml'), 'utf8') : stringifyYaml(publicApi.document.raw)));
  const controlYaml = () => servedText('control', () => readFileSync(join(root, 'control-openapi.yaml'), 'utf8'));
  for (const [file, text] of [['openapi.yaml', publicYaml], ['control-openapi.yaml', controlYaml]] as const) {
    app.get(`/${file}`, (c) => c.body(text(), 200, { 'Content-Type': 'application/yaml; charset=utf-8' }));
  }
  registerDocsRoutes(app, [
    { path: '/docs', title: 'Public API', file: 'openapi.yaml', document: publicApi.document },
    { path: '/docs/control', title: 'Control API', file: 'control-openapi.yaml', document: controlApi.document },
  ]);
  // The URLs the ready line prints answer with what lives there, not with a 404.
  const publicIndex = routeIndex(publicApi.document, {
    title: `Omniagent public API, emulated by omnisip (API profile ${options.profile})`,
    description: 'Send X-Api-Key with any non-empty key: each key is a project of its own. The routes below answer under this prefix.',
    docs: '/docs',
    openapi: '/openapi.yaml',
  });
  const controlIndex = routeIndex(controlApi.document, {
    title: 'omnisip control API',
    description: 'The emulator itself: health, reset, clock, fault rules, PBX, softphones, calls, the journal. No key; loopback only.',
    docs: '/docs/control',
    openapi: '/control-openapi.yaml',
  });
  for (const [prefix, index] of [['/public', publicIndex], ['/_emulator', controlIndex]] as const) {
    app.get(prefix, (c) => c.json(index));
    app.get(`${prefix}/`, (c) => c.json(index));
  }
  registerDashboardRoutes(app);

  app.notFound((c) => {
    // `GET /_emulator/pbx/accounts/` is `GET /_emulator/pbx/accounts`: a read with a trailing slash is served as without it.
    const { method, path } = c.req;
    if ((method === 'GET' || method === 'HEAD') && path.length > 1 && path.endsWith('/')) {
      const url = new URL(c.req.url);
      url.pathname = path.replace(/\/+$/, '');
      if (url.pathname !== '') return app.fetch(new Request(url, { method, headers: c.req.raw.headers }), c.env);
    }
    // A known path with a method it does not have: 405 with Allow, not 404.
    const allowed = publicMethods(path) ?? controlMethods(path);
    const x = honoExchange(c);
    if (allowed) return recorder.record(x, () => respondFailure(x, apiErrors.methodNotAllowed(method, path, allowed)));
    return recorder.record(x, () => respondFailure(x, apiErrors.routeNotFound(method, path)));
  });
  app.onError((error, c) => {
    options.deps.logger.error(`${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}`);
    const x = honoExchange(c);
    return recorder.record(x, () => respondFailure(x, apiErrors.internal()));
  });
  return { app, listener: nodeRequestListener(app, publicRoutes) };
}
