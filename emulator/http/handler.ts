import type { Context } from 'hono';
import type { Clock } from '../core/clock.js';
import type { ApiFailure } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Projects } from '../core/projects.js';
import type { EmulatorControl } from '../control/EmulatorControl.js';

/** What a handler gets: the request, already checked against its OpenAPI document. */
export interface HandlerInput {
  /** The X-Api-Key (always present for the public API). */
  apiKey: string | undefined;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  /**
   * For the few handlers that stream (server-sent events) or send files: the Hono context, which
   * every route but the public API's operations is served through; undefined when Node serves the
   * request directly (nodeRoutes.ts), which it does for public operations only.
   */
  context: Context | undefined;
}

/**
 * The emulator's parts a handler may use: the public API works on the core's stores (the listener
 * manager and the PBX follow the store's changes); the control API calls the control plane.
 */
export interface HandlerDeps {
  clock: Clock;
  projects: Projects;
  control: EmulatorControl;
  logger: Logger;
}

/** A status and a JSON body (none for 204), an API failure, or a ready Response (streams, files). */
export type HandlerOutput = { status: number; body?: unknown } | { failure: ApiFailure } | { response: Response };
export type Handler = (input: HandlerInput, deps: HandlerDeps) => HandlerOutput | Promise<HandlerOutput>;
