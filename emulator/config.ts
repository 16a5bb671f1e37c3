import { readFileSync } from 'node:fs';
import { parseYaml as parse } from './core/parseYaml.js';
import type { ClockMode } from './core/clock.js';
import { apiProfiles, type ApiProfile } from './core/profile.js';
import { createLogger, type Logger, type LogLevel } from './core/logger.js';
import type { PbxQuirks } from './generated/index.js';
import { quirksProblem } from './pbx/quirks.js';

/** Options of `startEmulator()` and of `omnisip start`: all optional, each with a documented default. */
export interface EmulatorOptions {
  /**
   * Which service to emulate: `guide` (default), the vendor's SIP guide and the hackathon-era docs;
   * or `latest`, the docs of August 2026 (ISO 639-1 languages, `name` required, the kiosk channel,
   * the `sipPods` quota, outbound calls). See README "API profiles".
   */
  apiProfile?: ApiProfile;
  /** Each project's `sipPods` quota: how many SIP connections it may have. Default 0 in `latest` (as the docs say), no limit in `guide`. */
  sipQuota?: number | null;
  /** How quota requests are decided: `auto` (default) approves each at once; `manual` leaves them pending for the control API. */
  quotaApproval?: 'auto' | 'manual';
  /** Address to bind. Default `127.0.0.1`. */
  host?: string;
  /** REST API port (public API, control API, docs). Default 4010; 0 picks a free port. */
  apiPort?: number;
  /** `real` (default) or `virtual`: virtual time moves only through the control API. */
  clock?: ClockMode;
  /**
   * Where a virtual clock starts, ms since the epoch or an ISO date. Default: now; with a `seed`,
   * 2026-01-01T00:00:00Z, so that two seeded runs show the same times (and a run can be replayed).
   */
  clockStart?: number | string;
  /** How long a new or redeployed SIP connection stays Pending. Default 2000 ms. */
  provisionDelayMs?: number;
  /** How long a crashed listener stays in Error before it restarts. Default 5000 ms. */
  restartDelayMs?: number;
  /**
   * Makes the run reproducible: every id, tag, branch, Call-ID, nonce and random choice draws from
   * this seed, so the same inputs on a virtual clock give the same journal. Default: none; ids are
   * then cryptographically random, and fault probabilities draw from a random seed shown by health.
   */
  seed?: number;
  /** Agents per project before 409 AgentLimitExceeded. Default 100 (the vendor's default). */
  agentLimit?: number;
  /** Largest accepted request body. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Check every response against openapi.yaml; a mismatch becomes a 500. Default false (tests turn it on). */
  validateResponses?: boolean;
  /** Run the SIP side (built-in PBX, real listeners). Default true; false gives an API-only emulator whose connections stay Running/registering. */
  sip?: boolean;
  /** Built-in PBX port, UDP and TCP. Default 5060; 0 picks a free port. */
  sipPort?: number;
  /** Registration lifetime the listeners request, seconds. Default 3600. */
  registerExpires?: number;
  /** First retry after a failed registration (doubles up to 60 s), on the emulator clock. Default 5000 ms. */
  registerRetryMs?: number;
  /** Extra accounts on the built-in PBX (softphones, the human handoff target `200`). Connections' credentials are mirrored without this. */
  pbxAccounts?: Array<{ username: string; password: string; domain?: string }>;
  /** Quirks of the whole built-in PBX (control-openapi.yaml, PbxQuirks), e.g. `{ strictDigestUri: true }`; a reset returns to them. Default none. */
  pbxQuirks?: PbxQuirks;
  /**
   * Digest algorithms the PBX challenges with, in order. Default MD5 only, as most PBXes: SIPp reads
   * only the first challenge, and baresip 1.0 refuses a 401 that offers several. Add SHA-256
   * (RFC 8760) with `['SHA-256', 'MD5']`.
   */
  digestAlgorithms?: Array<'MD5' | 'SHA-256'>;
  /** Simultaneous SIP calls per project; the next caller hears "no agents available". Default 5 (the vendor's documented limit). */
  maxConcurrentCalls?: number;
  /** A call with no RTP from the caller for this long is ended. Default 30000 ms. */
  rtpTimeoutMs?: number;
  /** SIP transaction timers in ms (RFC 3261 T1 500, T2 4000, T4 5000). Shorten them in tests to reach Timer F quickly. */
  sipTimers?: { T1?: number; T2?: number; T4?: number };
  /** Entries the journal keeps in memory, oldest dropped first. Default 20,000. */
  journalSize?: number;
  /** About how many bytes of bodies and SIP messages the journal keeps in memory, oldest dropped first. Default 64 MiB. */
  journalMaxBytes?: number;
  /** Also write every journal entry to this file, one JSON object per line (NDJSON). */
  journal?: string;
  /**
   * Keep the setup (agents, channel configs, SIP connections with their ids, `created` and
   * passwords, PBX accounts set through the control API, fault rules) in this directory: every
   * acknowledged change is on disk before its 2xx, and a start with the same directory puts it all
   * back. Created with mode 0700, its files 0600. Default: none, nothing is written to disk.
   */
  stateDir?: string;
  /** `silent`, `error`, `warn` or `info` (default). Ignored when `logger` is given. */
  logLevel?: LogLevel;
  logger?: Logger;
}

export interface EmulatorConfig {
  apiProfile: ApiProfile;
  /** null: no limit. */
  sipQuota: number | null;
  quotaApproval: 'auto' | 'manual';
  host: string;
  apiPort: number;
  clock: ClockMode;
  /** Where a virtual clock starts, ms since the epoch. */
  clockStart: number;
  provisionDelayMs: number;
  restartDelayMs: number;
  /** The seed fault probabilities draw from; every other draw too when `seeded`. */
  seed: number;
  /** True when the seed was given: the whole run is then reproducible. */
  seeded: boolean;
  agentLimit: number;
  maxBodyBytes: number;
  validateResponses: boolean;
  sip: boolean;
  sipPort: number;
  registerExpires: number;
  registerRetryMs: number;
  sipTimers: { T1?: number; T2?: number; T4?: number };
  pbxAccounts: Array<{ username: string; password: string; domain?: string }>;
  pbxQuirks: PbxQuirks;
  maxConcurrentCalls: number;
  rtpTimeoutMs: number;
  digestAlgorithms: Array<'MD5' | 'SHA-256'>;
  journalSize: number;
  journalMaxBytes: number;
  journalFile: string | undefined;
  stateDir: string | undefined;
  logger: Logger;
}

export const defaults = {
  host: '127.0.0.1',
  apiPort: 4010,
  clock: 'real',
  provisionDelayMs: 2000,
  restartDelayMs: 5000,
  agentLimit: 100,
  maxBodyBytes: 1024 * 1024,
  sipPort: 5060,
  registerExpires: 3600,
  registerRetryMs: 5000,
  journalSize: 20_000,
  journalMaxBytes: 64 * 1024 * 1024,
  /** A seeded virtual clock's start: 2026-01-01T00:00:00Z. */
  seededClockStart: Date.UTC(2026, 0, 1),
} as const;

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`omnisip: invalid option: ${message}`);
}

const isPort = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65535;

/** Resolves the public options, once, into a complete config (STYLE.md §12). Throws on a bad option. */
export function resolveConfig(options: EmulatorOptions = {}): EmulatorConfig {
  const apiProfile = options.apiProfile ?? 'guide';
  const config: EmulatorConfig = {
    apiProfile,
    sipQuota: options.sipQuota ?? (apiProfile === 'latest' ? 0 : null),
    quotaApproval: options.quotaApproval ?? 'auto',
    host: options.host ?? defaults.host,
    apiPort: options.apiPort ?? defaults.apiPort,
    clock: options.clock ?? defaults.clock,
    clockStart: clockStartOf(options),
    provisionDelayMs: options.provisionDelayMs ?? defaults.provisionDelayMs,
    restartDelayMs: options.restartDelayMs ?? defaults.restartDelayMs,
    seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
    seeded: options.seed !== undefined,
    agentLimit: options.agentLimit ?? defaults.agentLimit,
    maxBodyBytes: options.maxBodyBytes ?? defaults.maxBodyBytes,
    validateResponses: options.validateResponses ?? false,
    sip: options.sip ?? true,
    sipPort: options.sipPort ?? defaults.sipPort,
    registerExpires: options.registerExpires ?? defaults.registerExpires,
    registerRetryMs: options.registerRetryMs ?? defaults.registerRetryMs,
    sipTimers: options.sipTimers ?? {},
    pbxAccounts: options.pbxAccounts ?? [],
    pbxQuirks: options.pbxQuirks ?? {},
    maxConcurrentCalls: options.maxConcurrentCalls ?? 5,
    rtpTimeoutMs: options.rtpTimeoutMs ?? 30_000,
    digestAlgorithms: options.digestAlgorithms ?? ['MD5'],
    journalSize: options.journalSize ?? defaults.journalSize,
    journalMaxBytes: options.journalMaxBytes ?? defaults.journalMaxBytes,
    journalFile: options.journal,
    stateDir: options.stateDir,
    logger: options.logger ?? createLogger(options.logLevel ?? 'info'),
  };
  check(apiProfiles.includes(config.apiProfile), `apiProfile must be ${apiProfiles.join(' or ')}, got ${JSON.stringify(options.apiProfile)}`);
  check(config.sipQuota === null || (Number.isInteger(config.sipQuota) && config.sipQuota >= 0), `sipQuota must be an integer >= 0, got ${config.sipQuota}`);
  check(config.quotaApproval === 'auto' || config.quotaApproval === 'manual', `quotaApproval must be 'auto' or 'manual', got ${JSON.stringify(options.quotaApproval)}`);
  check(isPort(config.apiPort), `apiPort must be an integer from 0 to 65535, got ${config.apiPort}`);
  check(isPort(config.sipPort), `sipPort must be an integer from 0 to 65535, got ${config.sipPort}`);
  check(!config.sip || config.apiPort === 0 || config.apiPort !== config.sipPort, `apiPort and sipPort are both ${config.apiPort}: the built-in PBX listens on TCP as well as UDP, so the API needs a port of its own (0 picks a free one)`);
  check(Number.isInteger(config.registerExpires) && config.registerExpires > 0, `registerExpires must be a positive integer (seconds), got ${config.registerExpires}`);
  check(Number.isFinite(config.registerRetryMs) && config.registerRetryMs > 0, `registerRetryMs must be > 0, got ${config.registerRetryMs}`);
  check(config.pbxAccounts.every((a) => typeof a?.username === 'string' && a.username !== '' && typeof a.password === 'string'), 'pbxAccounts must be a list of {username, password, domain?}');
  const quirks = quirksProblem(config.pbxQuirks);
  check(quirks === undefined, `pbxQuirks: ${quirks}`);
  check(config.digestAlgorithms.length > 0 && config.digestAlgorithms.every((a) => a === 'MD5' || a === 'SHA-256'), `digestAlgorithms must list MD5 and/or SHA-256, got ${JSON.stringify(config.digestAlgorithms)}`);
  check(Number.isInteger(config.maxConcurrentCalls) && config.maxConcurrentCalls >= 0, `maxConcurrentCalls must be an integer >= 0, got ${config.maxConcurrentCalls}`);
  check(Number.isFinite(config.rtpTimeoutMs) && config.rtpTimeoutMs >= 0, `rtpTimeoutMs must be >= 0, got ${config.rtpTimeoutMs}`);
  check(config.clock === 'real' || config.clock === 'virtual', `clock must be 'real' or 'virtual', got '${config.clock}'`);
  check(Number.isFinite(config.clockStart), `clockStart must be ms since the epoch or an ISO date such as 2026-01-01T00:00:00Z, got ${JSON.stringify(options.clockStart)}`);
  check(options.clockStart === undefined || config.clock === 'virtual', 'clockStart needs clock: virtual (a real clock reads the time of day)');
  check(Number.isFinite(config.provisionDelayMs) && config.provisionDelayMs >= 0, `provisionDelayMs must be >= 0, got ${config.provisionDelayMs}`);
  check(Number.isFinite(config.restartDelayMs) && config.restartDelayMs >= 0, `restartDelayMs must be >= 0, got ${config.restartDelayMs}`);
  check(Number.isInteger(config.seed), `seed must be an integer, got ${config.seed}`);
  check(Number.isInteger(config.agentLimit) && config.agentLimit >= 0, `agentLimit must be an integer >= 0, got ${config.agentLimit}`);
  check(Number.isInteger(config.maxBodyBytes) && config.maxBodyBytes > 0, `maxBodyBytes must be a positive integer, got ${config.maxBodyBytes}`);
  check(Number.isInteger(config.journalSize) && config.journalSize > 0, `journalSize must be a positive integer, got ${config.journalSize}`);
  check(Number.isFinite(config.journalMaxBytes) && config.journalMaxBytes >= 1024, `journalMaxBytes must be at least 1024, got ${config.journalMaxBytes}`);
  check(config.stateDir === undefined || (typeof config.stateDir === 'string' && config.stateDir !== ''), 'stateDir must be a directory path');
  check(config.journalFile === undefined || (typeof config.journalFile === 'string' && config.journalFile !== ''), 'journal must be a file path');
  return config;
}

function clockStartOf(options: EmulatorOptions): number {
  const { clockStart } = options;
  if (typeof clockStart === 'number') return clockStart;
  if (typeof clockStart === 'string') return /^\d+$/.test(clockStart) ? Number(clockStart) : Date.parse(clockStart);
  return options.seed !== undefined ? defaults.seededClockStart : Date.now();
}

/** Reads a config file (YAML or JSON) holding the same options as the command line. */
export function readConfigFile(path: string): EmulatorOptions {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`omnisip: cannot read config file ${path}: ${(error as Error).message}`);
  }
  const parsed: unknown = parse(text);
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`omnisip: config file ${path} must hold a mapping of options (e.g. "apiPort: 4010")`);
  return parsed as EmulatorOptions;
}
