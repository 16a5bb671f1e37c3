import type { RequestListener } from 'node:http';
import type { Hono } from 'hono';
import { cryptoSource, seededSource, type RandomSource } from '../random/index.js';
import type { SipTransport } from '../sip/index.js';
import type { EmulatorConfig } from './config.js';
import { EmulatorControl, type SipSide } from './control/EmulatorControl.js';
import { Calls } from './core/calls.js';
import { createClock, type Clock } from './core/clock.js';
import { FaultRules, type FaultSubject } from './core/FaultRules.js';
import { Ids } from './core/ids.js';
import { Projects } from './core/projects.js';
import type { FaultRule } from './generated/index.js';
import { createApp } from './http/createApp.js';
import type { Logger } from './core/logger.js';
import { Journal, NdjsonFile, type StartedOptions } from './journal/index.js';
import type { AgentCallHandle } from './listener/calls/AgentCall.js';
import { idleListenerFactory } from './listener/idleListener.js';
import { ListenerManager, type ListenerFactory } from './listener/ListenerManager.js';
import type { BuildSipSide } from './sipSide.js';
import { CaptureSpillFile, StateStore, type StateSources } from './store/index.js';
import { version } from './version.js';

/** Everything the emulator is made of, built once, in dependency order, before it serves a request. */
export interface World {
  readonly config: EmulatorConfig;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly journal: Journal;
  readonly projects: Projects;
  readonly faults: FaultRules;
  readonly calls: Calls;
  readonly listeners: ListenerManager;
  /** The state dir's store (`stateDir`); absent when nothing is written to disk. */
  readonly state: StateStore | undefined;
  /** The built-in PBX and the softphones; absent in an API-only world. */
  readonly sip: SipSide | undefined;
  readonly control: EmulatorControl;
  readonly app: Hono;
  /** The HTTP server's request listener: the public API's operations served by Node directly, the rest by `app`. */
  readonly listener: RequestListener;
  /** Stops listeners, softphones and the PBX, and flushes the journal's file. */
  close(): Promise<void>;
}

/** What the world is built on: the sockets already bound (so their ports are known), and test seams. */
export interface WorldFoundation {
  ports: { api: number; sip?: number };
  /** The PBX's bound SIP transport and the SIP side's builder (`sipSide.ts`, loaded only then); without them the world is API-only. */
  sip?: { transport: SipTransport; build: BuildSipSide };
  /** Deploys the listener of a Running connection; default the SIP listeners (or idle ones without a PBX). Tests pass their own. */
  listenerFactory?: ListenerFactory;
}

/**
 * The composition root: builds clock, random source, journal, stores, fault rules, the SIP side
 * (PBX, listener factory, softphones), listeners, control plane and HTTP app, in that order, each
 * from the ones before it.
 *
 * @example
 * // Socket-free, for in-process tests: `world.app.request('/public/agents', …)`.
 * const world = createWorld(resolveConfig({ clock: 'virtual', sip: false }), { ports: { api: 0 } });
 */
export function createWorld(config: EmulatorConfig, foundation: WorldFoundation): World {
  const { logger } = config;
  const clock = createClock(config.clock, config.clockStart);
  // Seeded, every draw repeats; unseeded, bytes (ids, tags, nonces) are unguessable while fault
  // probabilities still draw from the (shown) seed.
  const random: RandomSource = config.seeded ? seededSource(config.seed) : withSeededFloats(cryptoSource(), seededSource(config.seed));
  const journalFile = config.journalFile === undefined ? undefined : new NdjsonFile(config.journalFile);
  const journal = new Journal({ clock, capacity: config.journalSize, maxBytes: config.journalMaxBytes, sinks: journalFile ? [journalFile.write] : [] });
  journal.record({ kind: 'emulator.started', version, seed: config.seeded ? config.seed : null, clock: config.clock, clockStart: clock.now(), ports: { ...foundation.ports }, options: startedOptions(config) });

  const ids = new Ids(random.fork('ids'));
  const projects = new Projects({
    profile: config.apiProfile,
    sip: { enabled: true, quota: config.sipQuota, approval: config.quotaApproval },
    agentLimit: config.agentLimit, publicBaseUrl: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${foundation.ports.api}`, ids });
  // Full capture chunks leave memory for an unlinked temporary file (see CaptureChunks).
  const calls = new Calls(ids, { captureSpill: new CaptureSpillFile() });
  calls.onStateChange((call, reason) =>
    journal.record({ kind: 'call.state', callId: call.id, sipCallId: call.callId, connectionId: call.connectionId, from: call.from, to: call.to, state: call.state, reason }),
  );
  const faults = new FaultRules(random.fork('faults').float, ids, (rule, subject) => journal.record(faultFired(rule, subject)));

  const agentCalls = new Map<string, AgentCallHandle>();
  const sipSide = foundation.sip?.build(foundation.sip.transport, { config, clock, random, journal, projects, faults, calls, agentCalls });
  const listenerFactory = foundation.listenerFactory ?? sipSide?.listenerFactory ?? idleListenerFactory;
  const listeners = new ListenerManager({
    clock, projects, faults, journal, logger,
    provisionDelayMs: config.provisionDelayMs,
    restartDelayMs: config.restartDelayMs,
    factory: listenerFactory,
  });
  const unfollow = projects.onConnectionChange(listeners.follow);
  // After the listener manager follows the store: restored connections are provisioned as created ones are.
  const state = config.stateDir === undefined ? undefined : openState(config.stateDir, { projects, faults, accounts: sipSide?.pbx.accounts, ids, now: () => clock.now() }, logger);

  const sip: SipSide | undefined = sipSide && { pbx: sipSide.pbx, softphones: sipSide.softphones };
  const control = new EmulatorControl({ version, apiProfile: config.apiProfile, seed: config.seeded ? config.seed : null, ports: { ...foundation.ports }, clock, journal, projects, faults, calls, agentCalls, listeners, maxConcurrentCalls: config.maxConcurrentCalls, sip, ids, logger });
  const { app, listener } = createApp({ profile: config.apiProfile, deps: { clock, projects, control, logger }, journal, faults, maxBodyBytes: config.maxBodyBytes, validateResponses: config.validateResponses });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      journal.record({ kind: 'emulator.closing' });
      // Together, so that their short grace periods for answers (BYE, unREGISTER) overlap.
      await Promise.all([sip?.softphones.stopAll(), listeners.close()]);
      unfollow();
      await sip?.pbx.close();
      state?.close();
      journalFile?.close();
    })());
  return { config, clock, random, journal, projects, faults, calls, listeners, state, sip, control, app, listener, close };
}

function openState(dir: string, sources: StateSources, logger: Logger): StateStore {
  const started = performance.now();
  const state = StateStore.open(dir, sources, logger);
  const { counts, replayed } = state.restored;
  logger.info(`state dir ${dir}: restored ${counts.projects} projects, ${counts.agents} agents, ${counts.channelConfigs} channel configs, ${counts.sipConnections} SIP connections, ${counts.pbxAccounts} PBX accounts, ${counts.faultRules} fault rules (${replayed} logged changes) in ${Math.round(performance.now() - started)} ms`);
  return state;
}

/** Cryptographic bytes, with floats (fault probabilities, loss) from a seeded source, so a lossy run can be repeated by its seed. */
function withSeededFloats(bytes: RandomSource, floats: RandomSource): RandomSource {
  return { seeded: false, float: floats.float, bytes: bytes.bytes, fork: (label) => withSeededFloats(bytes, floats.fork(label)) };
}

function faultFired(rule: FaultRule, subject: FaultSubject) {
  const { target, ...rest } = subject;
  const described = Object.fromEntries(Object.entries(rest).filter(([key, value]) => value !== undefined && key !== 'apiKey').map(([key, value]) => [key, String(value)]));
  return { kind: 'fault.fired' as const, faultId: rule.id, target, action: rule.action.type, subject: described };
}

function startedOptions(c: EmulatorConfig): StartedOptions {
  return {
    apiProfile: c.apiProfile,
    sipQuota: c.sipQuota,
    quotaApproval: c.quotaApproval,
    provisionDelayMs: c.provisionDelayMs,
    restartDelayMs: c.restartDelayMs,
    agentLimit: c.agentLimit,
    sip: c.sip,
    registerExpires: c.registerExpires,
    registerRetryMs: c.registerRetryMs,
    sipTimers: { ...c.sipTimers },
    maxConcurrentCalls: c.maxConcurrentCalls,
    rtpTimeoutMs: c.rtpTimeoutMs,
    digestAlgorithms: [...c.digestAlgorithms],
    pbxAccounts: c.pbxAccounts.map((a) => a.username),
    ...(Object.keys(c.pbxQuirks).length > 0 && { pbxQuirks: structuredClone(c.pbxQuirks) }),
  };
}
