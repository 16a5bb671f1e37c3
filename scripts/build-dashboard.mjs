// Builds the dashboard (dashboard/, browser code) into dist/dashboard/ with esbuild: one
// minified ES module with Preact inside, its CSS and its HTML shell. The emulator serves these
// files itself (emulator/http/dashboardRoutes.ts), so the page needs no network and no CDN.
// `npm run build` runs it; the browser test runs it too, so that it tests the current sources.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds into `outdir` (default dist/dashboard); returns the bytes of each file written. */
export async function buildDashboard(outdir = join(root, 'dist', 'dashboard')) {
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: [join(root, 'dashboard', 'main.tsx')],
    outfile: join(outdir, 'app.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  });
  await copyFile(join(root, 'dashboard', 'index.html'), join(outdir, 'index.html'));
  await copyFile(join(root, 'dashboard', 'app.css'), join(outdir, 'app.css'));
  return Object.fromEntries(Object.entries(result.metafile.outputs).map(([file, { bytes }]) => [file, bytes]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outputs = await buildDashboard();
  for (const [file, bytes] of Object.entries(outputs)) console.log(`dashboard: ${file} ${(bytes / 1024).toFixed(1)} KiB`);
}
