import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { packageRoot } from './packageRoot.js';

/** The dashboard's views: each has its own URL, and each serves the same page (the app routes in the browser). */
export const dashboardViews = ['/', '/calls', '/calls/:callId', '/journal', '/scenarios'];

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

const notBuilt = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>omnisip dashboard</title></head>
<body style="font:16px system-ui,sans-serif;max-width:40rem;margin:3rem auto"><main aria-label="Dashboard not built"><h1>The dashboard is not built</h1>
<p>Its assets are made by the build: run <code>npm run build</code> in the omnisip checkout, then reload.
The APIs work without it: <a href="/docs">API docs</a>, <a href="/public">/public</a>, <a href="/_emulator">/_emulator</a>.</p></main></body></html>`;

/**
 * The dashboard: a small Preact app built by esbuild into `dist/dashboard/` (see
 * scripts/build-dashboard.mjs) and served from there, so it needs no network. Files are read on
 * first use and kept; a missing build answers a page that says how to make it.
 */
export function registerDashboardRoutes(app: Hono): void {
  const dir = join(packageRoot(), 'dist', 'dashboard');
  const cache = new Map<string, Buffer>();
  const read = (name: string): Buffer | undefined => {
    let bytes = cache.get(name);
    if (bytes) return bytes;
    const path = join(dir, name);
    if (!existsSync(path)) return undefined;
    cache.set(name, (bytes = readFileSync(path)));
    return bytes;
  };
  app.get('/dashboard/:file', (c) => {
    const name = c.req.param('file');
    const ext = /\.[a-z]+$/.exec(name)?.[0] ?? '';
    const bytes = /^[\w.-]+$/.test(name) && types[ext] ? read(name) : undefined;
    if (!bytes) return c.notFound();
    return c.body(new Uint8Array(bytes), 200, { 'Content-Type': types[ext]!, 'Cache-Control': 'no-cache' });
  });
  for (const view of dashboardViews) {
    app.get(view, (c) => {
      const page = read('index.html');
      return page ? c.body(new Uint8Array(page), 200, { 'Content-Type': types['.html']!, 'Cache-Control': 'no-cache' }) : c.html(notBuilt);
    });
  }
}
