import type { Context } from 'hono';
import type { Clock } from '../core/clock.js';
import type { ApiFailure } from '../core/errors.js';
import type { Projects } from '../core/projects.js';
import type { FaultRules } from '../control/FaultRules.js';
import type { EventBus } from '../events.js';
import type { ListenerManager } from '../listener/ListenerManager.js';
import type { SipTraces } from '../listener/SipTraces.js';
import type { Pbx } from '../pbx/index.js';
import type { CallControl } from '../control/CallControl.js';
import type { Logger } from '../logger.js';

/** What a handler gets: the request, already checked against its OpenAPI document. */
export interface HandlerInput {
  /** The X-Api-Key (always present for the public API). */
  apiKey: string | undefined;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  /** For the few handlers that stream (server-sent events). */
  context: Context;
}

/** The emulator's parts a handler may use. */
export interface HandlerDeps {
  clock: Clock;
  projects: Projects;
  listeners: ListenerManager;
  faults: FaultRules;
  events: EventBus;
  logger: Logger;
  traces: SipTraces;
  /** False for an API-only emulator: the SIP control operations then answer 503 SipSideDisabled. */
  sipEnabled: boolean;
  /** The built-in PBX, once started (absent in API-only emulators and socket-free tests). */
  pbx: () => Pbx | undefined;
  /** Softphones and calls, once the SIP side runs. */
  calls: () => CallControl | undefined;
  /** Control-plane operations that reach across the emulator (reset, clock, health). */
  control: {
    reset(): Promise<void>;
    ports(): { api: number; sip?: number };
    version: string;
  };
}

/** A status and a JSON body (none for 204), an API failure, or a ready Response (streams). */
export type HandlerOutput = { status: number; body?: unknown } | { failure: ApiFailure } | { response: Response };
export type Handler = (input: HandlerInput, deps: HandlerDeps) => HandlerOutput | Promise<HandlerOutput>;
