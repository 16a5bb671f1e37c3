import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Context, Hono } from 'hono';
import type { OpenApiDocument } from './openapiDocument.js';

/** The API references served under /docs: one page each, rendered by Swagger UI. */
export interface DocsPage {
  /** `/docs` or `/docs/control`. */
  path: string;
  title: string;
  /** The YAML the emulator also serves, e.g. `openapi.yaml`. */
  file: string;
  document: OpenApiDocument;
}

/** The files of swagger-ui-dist the pages load; nothing else of the package is served. */
const assets: Record<string, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const escape = (text: string) => text.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);

let assetDir: string | undefined;
/** swagger-ui-dist, a dependency, wherever npm put it (a checkout, or a project that installed omnisip). */
function swaggerUiDir(): string {
  assetDir ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return assetDir;
}

/**
 * Real API references at /docs (public API) and /docs/control (control API): Swagger UI, served
 * from its own npm package by the emulator so it works offline, with every schema, example and
 * the Markdown of the descriptions, and "Try it out" against this emulator. The document each
 * page reads lists the emulator's own address first among its servers, so "Try it out" calls
 * the emulator that served the page, whatever port it is on, and never the vendor.
 */
export function registerDocsRoutes(app: Hono, pages: DocsPage[]): void {
  const cache = new Map<string, Buffer>();
  app.get('/docs/assets/:file', (c) => {
    const name = c.req.param('file');
    const type = assets[name];
    if (!type) return c.notFound();
    let bytes = cache.get(name);
    if (!bytes) cache.set(name, (bytes = readFileSync(join(swaggerUiDir(), name))));
    return c.body(new Uint8Array(bytes), 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=3600' });
  });
  for (const page of pages) {
    const specPath = `${page.path}/${page.file.replace(/\.yaml$/, '.json')}`;
    const html = renderPage(page, pages, specPath);
    app.get(page.path, (c) => c.html(html));
    app.get(`${page.path}/`, (c) => c.html(html));
    app.get(specPath, (c) => c.json(withThisServer(page.document.raw, c)));
  }
}

/** The document with this emulator's address as its first server. */
function withThisServer(raw: Record<string, unknown>, c: Context): Record<string, unknown> {
  const origin = new URL(c.req.url).origin;
  const others = ((raw.servers ?? []) as Array<{ url: string }>).filter((s) => s.url !== origin);
  return { ...raw, servers: [{ url: origin, description: 'This emulator (the one serving these docs).' }, ...others] };
}

function renderPage(page: DocsPage, pages: DocsPage[], specPath: string): string {
  const links = pages.map((p) => `<a href="${p.path}"${p === page ? ' aria-current="page"' : ''}>${escape(p.title)}</a>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(page.title)} · omnisip</title>
<link rel="icon" href="/docs/assets/favicon-32x32.png"><link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<style>body{margin:0;font:14px system-ui,sans-serif}header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:.6rem 1rem;background:#1f2933;color:#fff}
header a{color:#cde;text-decoration:none}header a[aria-current]{color:#fff;font-weight:600;text-decoration:underline}header b{margin-right:1rem}</style>
</head><body><header><b>omnisip</b><nav aria-label="API references">${links}</nav><a href="/">Dashboard</a><a href="/${page.file}">${page.file}</a></header>
<main id="swagger-ui" aria-label="${escape(page.title)} reference"></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specPath)}, dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null,
  displayRequestDuration: true, persistAuthorization: true, defaultModelsExpandDepth: 0, presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout' });</script>
</body></html>`;
}
