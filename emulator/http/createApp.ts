import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { apiErrors } from '../core/errors.js';
import type { FaultRules } from '../core/FaultRules.js';
import { registerApiRoutes } from './apiRoutes.js';
import { controlHandlers } from './controlHandlers.js';
import { registerDashboardRoutes } from './dashboardRoutes.js';
import { registerDocsRoutes } from './docsRoutes.js';
import type { Journal } from '../journal/index.js';
import type { HandlerDeps } from './handler.js';
import { exchangeRecorder } from './journalExchanges.js';
import { loadOpenApiDocument, type OpenApiDocument } from './openapiDocument.js';
import { packageRoot } from './packageRoot.js';
import { publicHandlers } from './publicHandlers.js';
import { respondFailure } from './respond.js';
import { routeIndex } from './routeIndex.js';
import { compileValidators, type OperationValidators } from './validators.js';

export interface AppOptions {
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

let loaded: { publicApi: LoadedApi; controlApi: LoadedApi } | undefined;

/** Parses both documents and compiles their validators once per process: they never change at run time. */
function loadApis(): { publicApi: LoadedApi; controlApi: LoadedApi } {
  if (!loaded) {
    const publicDoc = loadOpenApiDocument('openapi.yaml');
    const controlDoc = loadOpenApiDocument('control-openapi.yaml');
    loaded = {
      publicApi: { document: publicDoc, validators: compileValidators(publicDoc, 'omnisip-public.json') },
      controlApi: { document: controlDoc, validators: compileValidators(controlDoc, 'omnisip-control.json') },
    };
  }
  return loaded;
}

/** The whole HTTP side: public API, control API, docs. Test it in-process with `app.request()`. */
export function createApp(options: AppOptions): Hono {
  const { publicApi, controlApi } = loadApis();
  const app = new Hono();
  const recorder = exchangeRecorder(options.journal);

  const common = { deps: options.deps, faults: options.faults, recorder, maxBodyBytes: options.maxBodyBytes, validateResponses: options.validateResponses };
  registerApiRoutes(app, { kind: 'public', prefix: '/public', ...publicApi, handlers: publicHandlers, ...common });
  registerApiRoutes(app, { kind: 'control', prefix: '/_emulator', ...controlApi, handlers: controlHandlers, ...common });

  const root = packageRoot();
  for (const file of ['openapi.yaml', 'control-openapi.yaml']) {
    const text = readFileSync(join(root, file), 'utf8');
    app.get(`/${file}`, (c) => c.body(text, 200, { 'Content-Type': 'application/yaml; charset=utf-8' }));
  }
  registerDocsRoutes(app, [
    { path: '/docs', title: 'Public API', file: 'openapi.yaml', document: publicApi.document },
    { path: '/docs/control', title: 'Control API', file: 'control-openapi.yaml', document: controlApi.document },
  ]);
  // The URLs the ready line prints answer with what lives there, not with a 404.
  const publicIndex = routeIndex(publicApi.document, {
    title: 'Omniagent public API, emulated by omnisip',
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
    return recorder.record(c, () => respondFailure(c, apiErrors.routeNotFound(method, path)));
  });
  app.onError((error, c) => {
    options.deps.logger.error(`${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}`);
    return recorder.record(c, () => respondFailure(c, apiErrors.internal()));
  });
  return app;
}
