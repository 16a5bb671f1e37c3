import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { probedMachineInfo, median, type MachineInfo } from '../lib/index.js';
import { measureConnections, type ConnectionsResult } from './measureConnections.js';
import { measureServerRound, type ServerRound } from './measureServerRound.js';
import { benchUsers, startKamailioRegistrar, startOmnisip } from './sipServers.js';
import { summarizeCpuProfile, type CpuProfile, type CpuProfileSummary } from './summarizeCpuProfile.js';

export interface SipRegisterBenchOptions {
  /** The repository root: dist/ and test/sipp/ are found from here. */
  root: string;
  users: number;
  /** Target length of each measured SIPp run. */
  durationSeconds: number;
  /** Rounds per server, alternating omnisip and Kamailio; the median counts. */
  rounds: number;
  /** Registrations in progress at once. */
  concurrency: number;
  /** SIP connections created in the second part. */
  connections: number;
  /** When set, omnisip runs the registrations with `--cpu-prof`, writing its profile here, and the report summarises it. */
  profileDir?: string;
  log: (line: string) => void;
}

export interface ServerRegistrations {
  /** One per round, each in a fresh server process. */
  rounds: ServerRound[];
  /** Median registrations/s of the rounds: a busy moment on a shared machine moves one round, not the result. */
  medianPerSecond: number;
  /** Summed over the measured runs. */
  attempted: number;
  successful: number;
  failed: number;
  /** Largest peak RSS of the rounds (Kamailio: its main process only). */
  peakRssBytes: number | undefined;
  /** Where omnisip spent its CPU time in its last round (with --profile). */
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
  settings: { users: number; durationSeconds: number; rounds: number; concurrency: number; connections: number; scenario: string; transport: 'UDP' };
  registrations: { omnisip: ServerRegistrations; kamailio: ServerRegistrations; ratio: number };
  /** The curve: fresh processes with more and more connections, the requested number last. */
  connections: ConnectionsResult[];
  checks: Check[];
  pass: boolean;
}

export type SipRegisterBenchResult = { ok: true; report: SipRegisterReport } | { ok: false; reason: string };

function summarize(rounds: ServerRound[]): ServerRegistrations {
  const rates = rounds.map((r) => r.measured.registrationsPerSecond);
  const sum = (pick: (r: ServerRound) => number) => rounds.reduce((total, r) => total + pick(r), 0);
  const peaks = rounds.flatMap((r) => (r.memory ? [r.memory.peakRssBytes] : []));
  return {
    rounds,
    medianPerSecond: median(rates),
    attempted: sum((r) => r.measured.attempted),
    successful: sum((r) => r.measured.successful),
    failed: sum((r) => r.measured.failed),
    peakRssBytes: peaks.length > 0 ? Math.max(...peaks) : undefined,
  };
}

/** The profile written on exit by the omnisip process started at or after `since`. */
function newestProfile(dir: string, since: number): string | undefined {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(dir, name))
    .filter((file) => statSync(file).mtimeMs >= since);
  return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/**
 * The time to all online that the target allows `count` connections: 10 s for 5,000 (issue 12),
 * 2 ms each beyond. Below 5,000 there is none: a smaller run is dominated by what does not scale
 * (the first REGISTER exchanges, the event stream's start), so 2 ms each would be a target nobody
 * set; the curve's flatness is checked instead.
 */
export function connectionsTimeBudgetSeconds(count: number): number | undefined {
  return count >= 5000 ? (count * 2) / 1000 : undefined;
}

/** The sizes of the connections curve: 100 up to `max`, roughly doubling, `max` last. */
export function curveSizes(max: number): number[] {
  return [...[100, 250, 500, 1000, 2500, 5000, 10_000].filter((n) => n < max), max];
}

const mib = (bytes: number | undefined) => (bytes === undefined ? 'not measured' : `${Math.round(bytes / 2 ** 20)} MB`);

/**
 * The issue's benchmark in one run on this machine: authenticated REGISTERs per second handled by
 * omnisip's built-in PBX and by Kamailio (same SIPp scenario, users and concurrency; rounds
 * alternating between the two, each in a fresh process; medians compared), then SIP connections
 * online in one emulator process, from 100 up to `connections` (1,000 by default): the curve.
 */
export async function runSipRegisterBenchmark(options: SipRegisterBenchOptions): Promise<SipRegisterBenchResult> {
  const { root } = options;
  if (!existsSync(join(root, 'dist/cli/main.js'))) return { ok: false, reason: `no build at ${join(root, 'dist/cli/main.js')}: run 'npm run build' first` };
  const machine = await probedMachineInfo();
  const scenario = join(root, 'test/sipp/register.xml');

  const nodeFlags = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [];
  if (options.profileDir) mkdirSync(options.profileDir, { recursive: true });
  const users = benchUsers(options.users);
  const servers = [
    { name: 'omnisip', start: () => startOmnisip(root, users, { nodeFlags }), rounds: [] as ServerRound[] },
    { name: 'kamailio', start: startKamailioRegistrar, rounds: [] as ServerRound[] },
  ] as const;
  let profileStart = Date.now();
  // Alternating, so that whatever else the machine does weighs on both servers alike.
  for (let round = 1; round <= options.rounds; round++) {
    for (const server of servers) {
      if (server.name === 'omnisip') profileStart = Date.now();
      const knownRate = server.rounds.at(-1)?.measured.registrationsPerSecond;
      const measured = await measureServerRound(server.name, server.start, { scenario, users, concurrency: options.concurrency, durationSeconds: options.durationSeconds, log: options.log, ...(knownRate !== undefined && { knownRate }) });
      if (!measured.ok) return measured;
      server.rounds.push(measured.round);
    }
  }
  const omnisip = summarize(servers[0].rounds);
  const kamailio = summarize(servers[1].rounds);
  if (options.profileDir) {
    const file = newestProfile(options.profileDir, profileStart);
    if (file === undefined) return { ok: false, reason: `omnisip wrote no .cpuprofile in ${options.profileDir}` };
    omnisip.profile = { file, ...summarizeCpuProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile) };
  }
  const ratio = omnisip.medianPerSecond / kamailio.medianPerSecond;
  options.log(`median registrations/s: omnisip ${Math.round(omnisip.medianPerSecond)}, kamailio ${Math.round(kamailio.medianPerSecond)} (${(ratio * 100).toFixed(1)}%)`);

  const curve: ConnectionsResult[] = [];
  for (const count of curveSizes(options.connections)) {
    options.log(`creating ${count} SIP connections in one emulator process`);
    const measured = await measureConnections(root, count, { log: options.log });
    if (!measured.ok) return measured;
    curve.push(measured.result);
  }
  const c = curve.at(-1)!;
  const first = curve[0]!;
  const perConnection = (r: ConnectionsResult) => (r.allOnlineSeconds === undefined ? Infinity : (r.allOnlineSeconds * 1000) / r.requested);
  const growth = perConnection(c) / perConnection(first);
  const rssOnline = c.memoryOnline?.rssBytes;
  const budgetSeconds = connectionsTimeBudgetSeconds(c.requested);
  const allOnline = c.online === c.requested && c.allOnlineSeconds !== undefined;
  const checks: Check[] = [
    { check: 'omnisip registrations/s vs Kamailio', target: '≥ 50%', measured: `${(ratio * 100).toFixed(1)}% (median ${Math.round(omnisip.medianPerSecond)} vs ${Math.round(kamailio.medianPerSecond)})`, pass: ratio >= 0.5 },
    { check: 'failed registrations (omnisip)', target: '0', measured: `${omnisip.failed} of ${omnisip.attempted}`, pass: omnisip.failed === 0 && omnisip.successful === omnisip.attempted },
    { check: 'omnisip peak RSS while registering', target: '< 300 MB', measured: mib(omnisip.peakRssBytes), pass: omnisip.peakRssBytes !== undefined && omnisip.peakRssBytes < 300 * 2 ** 20 },
    {
      check: `${c.requested} SIP connections Running/online`,
      target: budgetSeconds === undefined ? 'all (the time target is for 5,000: --connections 5000)' : `all, in < ${budgetSeconds} s`,
      measured: `${c.online}${c.allOnlineSeconds === undefined ? '' : ` after ${c.allOnlineSeconds.toFixed(2)} s`}`,
      pass: allOnline && (budgetSeconds === undefined || c.allOnlineSeconds! < budgetSeconds),
    },
    { check: `emulator RSS with ${c.requested} connections online`, target: '< 500 MB', measured: mib(rssOnline), pass: rssOnline !== undefined && rssOnline < 500 * 2 ** 20 },
    { check: `time per connection, ${c.requested} vs ${first.requested}`, target: '≤ 1.5× (linear)', measured: Number.isFinite(growth) ? `${growth.toFixed(2)}×` : 'not all online', pass: growth <= 1.5 },
  ];
  const settings = { users: options.users, durationSeconds: options.durationSeconds, rounds: options.rounds, concurrency: options.concurrency, connections: options.connections, scenario: 'test/sipp/register.xml', transport: 'UDP' as const };
  const report: SipRegisterReport = { machine, settings, registrations: { omnisip, kamailio, ratio }, connections: curve, checks, pass: checks.every((x) => x.pass) };
  return { ok: true, report };
}
