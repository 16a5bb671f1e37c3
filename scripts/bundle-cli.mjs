// Bundles the CLI at build time: dist/cli/main.js becomes one module per command (esbuild, code
// splitting, chunks in dist/cli/chunks/) instead of ~260 modules that Node resolves, reads and
// links one by one on every start; `omnisip start` is ready in about two thirds of the time
// (bench/api cold start). tsc's unbundled entry stays as dist/cli/modules.js (same CLI, source file
// names in --cpu-prof profiles); the library (dist/index.js) is not bundled.
//
// The pure ES-module dependencies and the small CommonJS ones the start loads are bundled; the rest
// (yaml, ajv, swagger-ui-dist, ...) stays in node_modules, loaded by Node when a command needs it.
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli');
const bundled = new Set(['hono', '@hono/node-server', 'jsonpath-plus', 'alawmulaw', 'wavefile', 'sdp-transform']);
const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

const main = readFileSync(join(cli, 'main.js'), 'utf8');
// tsc's output, unless this already ran since tsc did (then modules.js holds it).
if (!main.includes('./chunks/')) {
  writeFileSync(join(cli, 'modules.js'), main.replace('//# sourceMappingURL=main.js.map', '//# sourceMappingURL=modules.js.map'));
  copyFileSync(join(cli, 'main.js.map'), join(cli, 'modules.js.map'));
}
rmSync(join(cli, 'chunks'), { recursive: true, force: true });
const result = await build({
  entryPoints: { main: join(cli, 'modules.js') },
  outdir: cli,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
  plugins: [
    {
      name: 'bundle-some-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (bundled.has(packageOf(args.path)) || args.path.startsWith('node:') ? undefined : { path: args.path, external: true }));
      },
    },
  ],
}).catch(() => process.exit(1));
// A bundled CommonJS module that requires a Node built-in would throw at run time in an ES module.
for (const file of [join(cli, 'main.js'), ...readdirSync(join(cli, 'chunks')).filter((f) => f.endsWith('.js')).map((f) => join(cli, 'chunks', f))]) {
  if (readFileSync(file, 'utf8').includes('Dynamic require of')) {
    console.error(`bundle-cli: ${file} calls require() inside an ES module; keep that package external`);
    process.exit(1);
  }
}
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`cli: dist/cli/main.js bundled (${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length} files, ${(bytes / 1024).toFixed(0)} KiB with source maps)`);
