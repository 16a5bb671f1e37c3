import type { OpenApiDocument } from './openapiDocument.js';

const escape = (text: string) => text.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);

/**
 * A plain HTML page listing every operation of the public and control APIs with its summary and
 * description, served at /docs. No external scripts: it works offline. The full documents are
 * at /openapi.yaml and /control-openapi.yaml for Swagger UI, Redoc or Postman.
 */
export function renderDocsPage(documents: Array<{ title: string; file: string; document: OpenApiDocument }>): string {
  const sections = documents.map(({ title, file, document }) => {
    const paths = (document.raw.paths ?? {}) as Record<string, Record<string, { summary?: string; description?: string; operationId?: string }>>;
    const rows = document.operations.map((op) => {
      const meta = paths[op.path]?.[op.method] ?? {};
      return `<tr><td><code>${op.method.toUpperCase()}</code></td><td><code>${escape(op.path)}</code></td><td><b>${escape(meta.summary ?? op.operationId)}</b><br><small>${escape(meta.description ?? '')}</small></td></tr>`;
    });
    return `<h2>${escape(title)} <small>(<a href="/${file}">${file}</a>)</small></h2><table>${rows.join('')}</table>`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>omnisip API docs</title>
<style>body{font:14px system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}td{vertical-align:top;padding:.4rem;border-bottom:1px solid #ddd}small{color:#555}</style>
</head><body><h1>omnisip</h1><p>The Omniagent SIP API, emulated locally. Send <code>X-Api-Key</code> with any non-empty key: each key is its own project.</p>${sections.join('')}</body></html>`;
}
