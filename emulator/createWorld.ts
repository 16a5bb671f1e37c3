import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createClock, VirtualClock, type Clock } from './core/clock.js';
import { Projects } from './core/projects.js';
import { FaultRules } from './control/FaultRules.js';
import { seededRandom } from '../random/seededRandom.js';
import type { EmulatorConfig } from './config.js';
import { EventBus } from './events.js';
import { createApp } from './http/createApp.js';
import type { HandlerDeps } from './http/handler.js';
import { packageRoot } from './http/packageRoot.js';
import { idleListenerFactory } from './listener/idleListener.js';
import { ListenerManager, type ListenerFactory } from './listener/ListenerManager.js';
import { SipTraces } from './listener/SipTraces.js';
import type { Pbx } from './pbx/index.js';
import type { CallControl } from './control/CallControl.js';
import { Calls } from './core/calls.js';
import type { AgentCallHandle } from './listener/calls/AgentCall.js';

export const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;

/** Everything the emulator is made of, wired, before any socket is opened. */
export interface World {
  config: EmulatorConfig;
  clock: Clock;
  events: EventBus;
  faults: FaultRules;
  projects: Projects;
  listeners: ListenerManager;
  traces: SipTraces;
  app: Hono;
  /** Ports the servers bound, filled in by whoever serves the world. */
  ports: { api: number; sip?: number };
  /** The built-in PBX, set by startEmulator once it is listening. */
  pbx: Pbx | undefined;
  /** Softphones and calls, set by startEmulator with the SIP side. */
  calls: CallControl | undefined;
  /** Every call seen since start or reset (listeners' and softphones'). */
  callRegistry: Calls;
  /** Calls an agent is on right now, reachable from the control API. */
  agentCalls: Map<string, AgentCallHandle>;
  /** Deploys a listener for a Running connection. */
  listenerFactory: ListenerFactory;
  /** Extra work on reset, added by whoever starts parts the world does not own (softphones). */
  onReset: Array<() => Promise<void>>;
  reset(): Promise<void>;
}

/**
 * Builds the world from a resolved config. Tests use it directly with `world.app.request()`.
 * Listeners are idle until `world.listenerFactory` is replaced (startEmulator puts the SIP ones).
 */
export function createWorld(config: EmulatorConfig, listenerFactory: ListenerFactory = idleListenerFactory): World {
  const { logger } = config;
  const clock = createClock(config.clock);
  const events = new EventBus();
  const traces = new SipTraces();
  const callRegistry = new Calls();
  callRegistry.onStateChange((call) =>
    events.publish({ type: 'call.state', at: Date.now(), callId: call.id, connectionId: call.connectionId, from: call.from, to: call.to, state: call.state, reason: call.endReason }),
  );
  const faults = new FaultRules(seededRandom(config.seed));
  const ports: World['ports'] = { api: config.apiPort };
  const projects = new Projects({ agentLimit: config.agentLimit, publicBaseUrl: () => `http://${config.host}:${ports.api}` });
  const listeners = new ListenerManager({
    clock, projects, faults, events, logger,
    provisionDelayMs: config.provisionDelayMs,
    restartDelayMs: config.restartDelayMs,
    // Late-bound, so the SIP listeners can be plugged in once the world they need exists.
    factory: (context) => world.listenerFactory(context),
  });
  const reset = async () => {
    for (const hook of world.onReset) await hook();
    await listeners.stopAll();
    projects.clear();
    faults.clear();
    traces.clear();
    callRegistry.clear();
    world.pbx?.reset();
    if (clock instanceof VirtualClock) clock.reset();
    events.publish({ type: 'emulator.reset', at: clock.now() });
  };
  const deps: HandlerDeps = { clock, projects, listeners, faults, events, logger, traces, sipEnabled: config.sip, pbx: () => world.pbx, calls: () => world.calls, control: { reset: () => world.reset(), ports: () => ({ ...ports }), version } };
  const app = createApp({ deps, maxBodyBytes: config.maxBodyBytes, validateResponses: config.validateResponses });
  const world: World = { config, clock, events, faults, projects, listeners, traces, app, ports, pbx: undefined, calls: undefined, callRegistry, agentCalls: new Map(), listenerFactory, onReset: [], reset };
  return world;
}
