import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { apiErrors } from '../core/errors.js';
import type { FaultRules } from '../core/FaultRules.js';
import { registerApiRoutes } from './apiRoutes.js';
import { controlHandlers } from './controlHandlers.js';
import { renderDocsPage } from './docsPage.js';
import type { Journal } from '../journal/index.js';
import type { HandlerDeps } from './handler.js';
import { exchangeRecorder } from './journalExchanges.js';
import { loadOpenApiDocument, type OpenApiDocument } from './openapiDocument.js';
import { packageRoot } from './packageRoot.js';
import { publicHandlers } from './publicHandlers.js';
import { respondFailure } from './respond.js';
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
  const docs = renderDocsPage([
    { title: 'Public API', file: 'openapi.yaml', document: publicApi.document },
    { title: 'Control API', file: 'control-openapi.yaml', document: controlApi.document },
  ]);
  app.get('/docs', (c) => c.html(docs));
  app.get('/', (c) => c.redirect('/docs'));

  app.notFound((c) => recorder.record(c, () => respondFailure(c, apiErrors.routeNotFound(c.req.method, c.req.path))));
  app.onError((error, c) => {
    options.deps.logger.error(`${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}`);
    return recorder.record(c, () => respondFailure(c, apiErrors.internal()));
  });
  return app;
}
