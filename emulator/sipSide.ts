import type { RandomSource } from '../random/index.js';
import type { SipTransport } from '../sip/index.js';
import type { EmulatorConfig } from './config.js';
import type { SipSide } from './control/EmulatorControl.js';
import { SoftphoneFleet } from './control/SoftphoneFleet.js';
import type { Calls } from './core/calls.js';
import type { Clock } from './core/clock.js';
import type { FaultRules } from './core/FaultRules.js';
import type { Projects } from './core/projects.js';
import type { Journal } from './journal/index.js';
import { sipRecorder } from './journal/sipRecorder.js';
import type { AgentCallHandle } from './listener/calls/AgentCall.js';
import type { ListenerFactory } from './listener/ListenerManager.js';
import { createSipListenerFactory } from './listener/SipListener.js';
import { Pbx } from './pbx/index.js';

/** What the SIP side is built from: the parts of the world built before it. */
export interface SipSideParts {
  config: EmulatorConfig;
  clock: Clock;
  random: RandomSource;
  journal: Journal;
  projects: Projects;
  faults: FaultRules;
  calls: Calls;
  /** Where listeners put the calls their agents are on, for the control plane. */
  agentCalls: Map<string, AgentCallHandle>;
}

export type BuildSipSide = (transport: SipTransport, parts: SipSideParts) => SipSide & { listenerFactory: ListenerFactory };

/**
 * The SIP side of a world: the built-in PBX on its bound transport (its `connection` accounts read
 * from the connection store), the listeners' factory, and the softphones. A module of its own, so
 * that an API-only emulator never loads the SIP and media layers.
 */
export const buildSipSide: BuildSipSide = (transport, { config, clock, random, journal, projects, faults, calls, agentCalls }) => {
  const { logger } = config;
  const pbx = Pbx.create(transport, {
    clock,
    faults,
    logger,
    random: random.fork('pbx'),
    connections: projects,
    accounts: config.pbxAccounts,
    digest: { algorithms: config.digestAlgorithms },
    sipTimers: config.sipTimers,
    onTrace: sipRecorder(journal, { stack: 'pbx' }),
    onBinding: (change) => journal.record({ kind: 'pbx.binding', ...change }),
    quirks: config.pbxQuirks,
    onQuirk: (event) => journal.record({ kind: 'pbx.quirk', ...event }),
  });
  const listenerFactory = createSipListenerFactory({
    logger,
    journal,
    random,
    pbx,
    registerExpires: config.registerExpires,
    retryMs: config.registerRetryMs,
    sipTimers: config.sipTimers,
    calls: {
      registry: calls,
      projects,
      faults,
      maxConcurrentCalls: config.maxConcurrentCalls,
      rtpTimeoutMs: config.rtpTimeoutMs,
      attach: (id, handle) => {
        agentCalls.set(id, handle);
        return () => agentCalls.delete(id);
      },
      rtpStopsAfterMs: (connectionId, sipCallId) => rtpStopsAfterMs(pbx, projects, connectionId, sipCallId),
    },
  });
  return { pbx, softphones: new SoftphoneFleet(pbx, calls, journal, random, logger, { setTimeout: (callback, ms) => clock.setTimeout(callback, ms), clearTimeout: (handle) => clock.clearTimeout(handle as Parameters<Clock['clearTimeout']>[0]) }), listenerFactory };
};

/** The `rtpStopsAfterMs` quirk of the PBX account a connection registers as, journaled when a call gets it. */
function rtpStopsAfterMs(pbx: Pbx, projects: Projects, connectionId: string, sipCallId: string): number | undefined {
  const settings = projects.findSipConnection(connectionId)?.settings;
  if (settings === undefined || !pbx.serves(settings.server)) return undefined;
  const ms = pbx.quirksFor(settings.username).rtpStopsAfterMs;
  if (ms !== undefined) pbx.quirks.report({ quirk: 'rtpStopsAfterMs', account: settings.username, text: `the PBX's media relay stops passing the caller's RTP to the agent ${ms} ms after the answer`, sipCallId });
  return ms;
}
