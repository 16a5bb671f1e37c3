import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { formatMarkdown, formatText } from './formatReport.js';
import { runApiBenchmark } from './runApiBenchmark.js';
import { positiveOption } from '../lib/positiveOption.js';

const usage = `Usage: npm run bench:api [-- options]

Benchmarks omnisip's REST API against 'prism mock openapi.yaml' on this machine: cold start
(spawn → ready, median: the API answering 2xx and, for omnisip, its PBX answering OPTIONS), then
requests/s and p99 with autocannon (in this process; each server in its own) per case. Targets:
cold start ≥ 5× Prism, throughput ≥ 15× Prism and p99 < 5 ms per case, printed as PASS/MISS.
Writes bench/results/api-<timestamp>.json and .md (the tables docs/performance.md keeps). Needs 'npm run build'.

Options:
  --duration <s>      measured seconds per case (default 10)
  --warmup <s>        warm-up seconds per case (default 2)
  --connections <n>   autocannon connections (default 50)
  --reps <n>          cold starts per server (default 5)
  --profile           run the omnisip server under load with --cpu-prof (profiles in bench/results/profiles)
  --node-flags=<f>    extra Node/V8 flags for the omnisip server under load, e.g.
                      --node-flags=--single-threaded-gc (with '=': a value that starts with '--' is
                      otherwise taken for an option), to compare its tail with and without them
  --skip-floor        do not load the bare-Node floor (Node's own HTTP server with the least work that
                      answers the same requests, bench/api/floorServer.ts), whose requests/s the report
                      sets beside omnisip's
  --strict            exit 1 when a target is missed (default: only when the run itself fails)
`;

const positive = positiveOption('bench:api', usage);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      reps: { type: 'string' },
      profile: { type: 'boolean' },
      'node-flags': { type: 'string' },
      'skip-floor': { type: 'boolean' },
      strict: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  // Compiled to dist/bench/api/run.js; the repository root is three levels up.
  const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
  const resultsDir = join(root, 'bench/results');
  const result = await runApiBenchmark({
    root,
    connections: positive('connections', values.connections, 50),
    durationSeconds: positive('duration', values.duration, 10),
    warmupSeconds: values.warmup === '0' ? 0 : positive('warmup', values.warmup, 2),
    coldStartRepetitions: positive('reps', values.reps, 5),
    profileDir: values.profile ? join(resultsDir, 'profiles') : undefined,
    nodeFlags: values['node-flags']?.split(/\s+/).filter((flag) => flag !== '') ?? [],
    floor: !values['skip-floor'],
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (!result.ok) {
    process.stderr.write(`bench:api failed: ${result.reason}\n`);
    return 1;
  }
  const { report } = result;
  mkdirSync(resultsDir, { recursive: true });
  const base = join(resultsDir, `api-${report.machine.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, `${formatMarkdown(report)}\n`);
  process.stdout.write(`\n${formatText(report)}\n\nwrote ${relative(root, base)}.json and .md\n`);
  if (values.profile) process.stdout.write(`omnisip CPU profile (load cases only) in ${relative(root, join(resultsDir, 'profiles'))}/: open it in Chrome DevTools or VS Code\n`);
  return report.pass || !values.strict ? 0 : 1;
}

process.exitCode = await main();
