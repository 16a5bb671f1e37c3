import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpuMeter, probedMachineInfo } from '../lib/index.js';
import { buildReport, type ApiBenchReport, type CaseReport, type Interference } from './buildReport.js';
import { loadCases } from './loadCases.js';
import { measureColdStarts } from './measureColdStarts.js';
import { runLoad, type LoadOptions, type LoadResult } from './runLoad.js';
import { floorServer, omnisipServer, prismServer, type ServerName, type ServerUnderTest } from './servers.js';
import { startServer } from './startServer.js';
import { gitCommit } from '../lib/versions.js';

export interface ApiBenchmarkOptions {
  /** The repository root: dist/, openapi.yaml and node_modules/ are found from here. */
  root: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  coldStartRepetitions: number;
  /** When set, the omnisip server under load runs with `--cpu-prof` and writes its profile here. */
  profileDir?: string;
  /** Extra Node flags for the omnisip server under load (not for the cold starts). */
  nodeFlags?: string[];
  /** Also load Node's own HTTP server with the least work (floorServer.ts), for the share of it omnisip reaches (default true). */
  floor?: boolean;
  /** Progress lines (the report itself is returned). */
  log: (line: string) => void;
}

export type ApiBenchmarkResult = { ok: true; report: ApiBenchReport } | { ok: false; reason: string };

/** Big enough that 50 connections creating agents for 12 s never reach 409 AgentLimitExceeded. */
const agentLimit = 10_000_000;

const readVersion = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;

type CaseResults = Map<string, LoadResult>;

/** Other processes' share of the CPUs, per phase; filled as the run goes. */
type InterferenceLog = Interference[];

/** One long-lived server, every load case against it in turn, then stopped by PID. */
async function loadServer(server: ServerUnderTest, options: ApiBenchmarkOptions, load: LoadOptions, interference: InterferenceLog): Promise<{ ok: true; results: CaseResults } | { ok: false; reason: string }> {
  const started = await startServer(server, { cwd: options.root });
  if (!started.ok) return started;
  const results: CaseResults = new Map();
  try {
    for (const loadCase of loadCases) {
      const prepared = await loadCase.prepare(started.baseUrl);
      if (!prepared.ok) return { ok: false, reason: `${server.name}, ${loadCase.title}: setup failed: ${prepared.reason}` };
      const { method, path, apiKey, body } = prepared.prepared;
      const headers: Record<string, string> = { 'X-Api-Key': apiKey, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) };
      const meter = new CpuMeter([started.process.pid]);
      const result = await runLoad({ url: `${started.baseUrl}${path}`, method, headers, body }, load, started.process.pid);
      interference.push({ phase: `${server.name} ${loadCase.title}`, otherCpuPercent: meter.otherPercent() });
      options.log(`${server.name.padEnd(7)} ${loadCase.title}: ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.latency?.p99.toFixed(2) ?? 'n/a'} ms, non-2xx ${result.non2xx}, errors ${result.errors}`);
      results.set(loadCase.name, result);
    }
  } finally {
    await started.process.stop();
  }
  return { ok: true, results };
}

/**
 * The benchmark in one run: cold starts, then throughput and p99 per case, omnisip and
 * `prism mock` on the same openapi.yaml, on this machine.
 */
export async function runApiBenchmark(options: ApiBenchmarkOptions): Promise<ApiBenchmarkResult> {
  const { root } = options;
  if (!existsSync(join(root, 'dist/cli/main.js'))) return { ok: false, reason: `no build at ${join(root, 'dist/cli/main.js')}: run 'npm run build' first` };
  const machine = await probedMachineInfo();
  const coldServers: Record<ServerName, ServerUnderTest> = { omnisip: omnisipServer(root), prism: prismServer(root) };
  options.log(`cold start: ${options.coldStartRepetitions} × each, alternating`);
  const interference: InterferenceLog = [];
  const coldMeter = new CpuMeter([]);
  const cold = await measureColdStarts(coldServers, options.coldStartRepetitions, root);
  if (!cold.ok) return cold;
  interference.push({ phase: 'cold starts', otherCpuPercent: coldMeter.otherPercent() });
  for (const [name, c] of Object.entries(cold.byServer)) {
    const sip = c.sipSamplesMs ? ` (PBX answering OPTIONS: ${c.sipSamplesMs.map((x) => x.toFixed(0)).join(', ')} ms)` : '';
    options.log(`${name.padEnd(7)} cold starts: ${c.samplesMs.map((x) => x.toFixed(0)).join(', ')} ms${sip}`);
  }

  const load: LoadOptions = { connections: options.connections, durationSeconds: options.durationSeconds, warmupSeconds: options.warmupSeconds };
  const profileFlags = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [];
  const omnisip = await loadServer(omnisipServer(root, { agentLimit, nodeFlags: [...(options.nodeFlags ?? []), ...profileFlags] }), options, load, interference);
  if (!omnisip.ok) return omnisip;
  const prism = await loadServer(prismServer(root), options, load, interference);
  if (!prism.ok) return prism;
  const floor = options.floor === false ? undefined : await loadServer(floorServer(root), options, load, interference);
  if (floor && !floor.ok) return floor;

  const cases: Omit<CaseReport, 'throughputRatio'>[] = loadCases.map((c) => ({ name: c.name, title: c.title, omnisip: omnisip.results.get(c.name)!, prism: prism.results.get(c.name)!, ...(floor && { floor: floor.results.get(c.name)! }) }));
  const settings = {
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    coldStartRepetitions: options.coldStartRepetitions,
    omnisipVersion: readVersion(join(root, 'package.json')),
    gitCommit: gitCommit(root),
    prismVersion: readVersion(join(root, 'node_modules/@stoplight/prism-cli/package.json')),
    ...(options.nodeFlags?.length ? { serverNodeFlags: options.nodeFlags } : {}),
    cliBundled: isBundledCli(join(root, 'dist/cli/main.js')),
  };
  return { ok: true, report: buildReport({ machine, settings, coldStart: cold.byServer, cases, interference }) };
}

/** Whether the CLI entry is the bundle scripts/bundle-cli.mjs writes (it imports its shared code from `./chunks/`). */
export function isBundledCli(mainJs: string): boolean {
  return readFileSync(mainJs, 'utf8').includes('./chunks/');
}
