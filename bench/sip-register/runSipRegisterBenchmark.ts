import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { machineInfo, type MachineInfo } from '../lib/index.js';
import { measureConnections, type ConnectionsResult } from './measureConnections.js';
import { measureRegistrations, type RegistrationRun } from './measureRegistrations.js';
import { processMemory, type ProcessMemory } from './processMemory.js';
import { benchUsers, startKamailioRegistrar, startOmnisip, type SipServer, type StartSipServerResult } from './sipServers.js';
import { summarizeCpuProfile, type CpuProfile, type CpuProfileSummary } from './summarizeCpuProfile.js';

export interface SipRegisterBenchOptions {
  /** The repository root: dist/ and test/sipp/ are found from here. */
  root: string;
  users: number;
  /** Target length of each measured SIPp run. */
  durationSeconds: number;
  /** Registrations in progress at once. */
  concurrency: number;
  /** SIP connections created in the second part. */
  connections: number;
  /** When set, omnisip runs the registrations with `--cpu-prof`, writing its profile here, and the report summarises it. */
  profileDir?: string;
  log: (line: string) => void;
}

export interface ServerRegistrations {
  /** An unmeasured run first (JIT, caches, Kamailio's workers), which also sizes the measured one. */
  warmup: RegistrationRun;
  /** The last run: resized (at most twice) until it lasted at least 80% of the duration. */
  measured: RegistrationRun;
  /** Peak RSS of the server process (Kamailio: its main process only). */
  memory: ProcessMemory | undefined;
  /** Where omnisip spent its CPU time (with --profile). */
  profile?: CpuProfileSummary & { file: string };
}

export interface Check {
  check: string;
  target: string;
  measured: string;
  pass: boolean;
}

export interface SipRegisterReport {
  machine: MachineInfo;
  settings: { users: number; durationSeconds: number; concurrency: number; connections: number; scenario: string; transport: 'UDP' };
  registrations: { omnisip: ServerRegistrations; kamailio: ServerRegistrations; ratio: number };
  connections: ConnectionsResult;
  checks: Check[];
  pass: boolean;
}

export type SipRegisterBenchResult = { ok: true; report: SipRegisterReport } | { ok: false; reason: string };

async function registrations(start: () => Promise<StartSipServerResult>, options: SipRegisterBenchOptions, scenario: string): Promise<{ ok: true; result: ServerRegistrations } | { ok: false; reason: string }> {
  const started = await start();
  if (!started.ok) return started;
  const server: SipServer = started.server;
  try {
    const users = benchUsers(options.users);
    const target = `127.0.0.1:${server.port}`;
    const load = { scenario, users, concurrency: options.concurrency };
    const warmup = await measureRegistrations(target, { ...load, calls: 5 * options.users });
    if (!warmup.ok) return warmup;
    options.log(`${server.name.padEnd(8)} warm-up: ${warmup.run.successful} in ${warmup.run.seconds.toFixed(2)} s, ${Math.round(warmup.run.registrationsPerSecond)} registrations/s`);
    // A warm server runs faster than the warm-up did: resize until a run lasts most of the duration.
    let run: RegistrationRun | undefined;
    for (let rate = warmup.run.registrationsPerSecond, attempt = 0; attempt < 3 && (run === undefined || run.seconds < 0.8 * options.durationSeconds); attempt++) {
      const calls = Math.max(options.users, Math.round(rate * options.durationSeconds));
      const measured = await measureRegistrations(target, { ...load, calls });
      if (!measured.ok) return measured;
      run = measured.run;
      rate = run.registrationsPerSecond;
      options.log(`${server.name.padEnd(8)} ${run.successful} successful, ${run.failed} failed in ${run.seconds.toFixed(2)} s: ${Math.round(run.registrationsPerSecond)} registrations/s`);
    }
    return { ok: true, result: { warmup: warmup.run, measured: run!, memory: processMemory(server.process.pid) } };
  } finally {
    await server.process.stop();
  }
}

/** The profile written on exit by the omnisip process started at or after `since`. */
function newestProfile(dir: string, since: number): string | undefined {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(dir, name))
    .filter((file) => statSync(file).mtimeMs >= since);
  return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

const mib = (bytes: number | undefined) => (bytes === undefined ? 'not measured' : `${Math.round(bytes / 2 ** 20)} MB`);

/**
 * The issue's benchmark in one run on this machine: authenticated REGISTERs per second handled by
 * omnisip's built-in PBX and by Kamailio (same SIPp scenario, users and concurrency, each server a
 * process of its own, one after the other), then 1,000 SIP connections online in one emulator.
 */
export async function runSipRegisterBenchmark(options: SipRegisterBenchOptions): Promise<SipRegisterBenchResult> {
  const { root } = options;
  if (!existsSync(join(root, 'dist/src/cli/main.js'))) return { ok: false, reason: `no build at ${join(root, 'dist/src/cli/main.js')}: run 'npm run build' first` };
  const machine = machineInfo();
  const scenario = join(root, 'test/sipp/register.xml');

  const nodeFlags = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [];
  if (options.profileDir) mkdirSync(options.profileDir, { recursive: true });
  const profileStart = Date.now();
  const omnisip = await registrations(() => startOmnisip(root, benchUsers(options.users), { nodeFlags }), options, scenario);
  if (!omnisip.ok) return omnisip;
  if (options.profileDir) {
    const file = newestProfile(options.profileDir, profileStart);
    if (file === undefined) return { ok: false, reason: `omnisip wrote no .cpuprofile in ${options.profileDir}` };
    omnisip.result.profile = { file, ...summarizeCpuProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile) };
  }
  const kamailio = await registrations(startKamailioRegistrar, options, scenario);
  if (!kamailio.ok) return kamailio;
  const ratio = omnisip.result.measured.registrationsPerSecond / kamailio.result.measured.registrationsPerSecond;

  options.log(`creating ${options.connections} SIP connections in one emulator process`);
  const connections = await measureConnections(root, options.connections, { log: options.log });
  if (!connections.ok) return connections;
  const c = connections.result;

  const o = omnisip.result.measured;
  const rssOnline = c.memoryOnline?.rssBytes;
  const checks: Check[] = [
    { check: 'omnisip registrations/s vs Kamailio', target: '≥ 30%', measured: `${(ratio * 100).toFixed(0)}% (${Math.round(o.registrationsPerSecond)} vs ${Math.round(kamailio.result.measured.registrationsPerSecond)})`, pass: ratio >= 0.3 },
    { check: 'failed registrations (omnisip)', target: '0', measured: String(o.failed), pass: o.failed === 0 && o.successful === o.attempted },
    { check: `${c.requested} SIP connections Running/online`, target: `${c.requested}`, measured: `${c.online}${c.allOnlineSeconds === undefined ? '' : ` after ${c.allOnlineSeconds.toFixed(2)} s`}`, pass: c.online === c.requested },
    { check: `emulator RSS with ${c.requested} connections online`, target: '< 400 MB', measured: mib(rssOnline), pass: rssOnline !== undefined && rssOnline < 400 * 2 ** 20 },
  ];
  const settings = { users: options.users, durationSeconds: options.durationSeconds, concurrency: options.concurrency, connections: options.connections, scenario: 'test/sipp/register.xml', transport: 'UDP' as const };
  const report: SipRegisterReport = { machine, settings, registrations: { omnisip: omnisip.result, kamailio: kamailio.result, ratio }, connections: c, checks, pass: checks.every((x) => x.pass) };
  return { ok: true, report };
}
