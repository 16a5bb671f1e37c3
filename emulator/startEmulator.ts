import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { FaultRule, FaultRuleCreate, SipConnectionStatus } from './generated/index.js';
import { statusOf } from './core/sipConnections.js';
import { VirtualClock, type Clock } from './core/clock.js';
import { resolveConfig, type EmulatorConfig, type EmulatorOptions } from './config.js';
import { createWorld, type World } from './createWorld.js';
import type { EventBus, EmulatorEvent } from './events.js';

/** The in-process control plane: the same operations as `/_emulator`, without HTTP. */
export interface EmulatorControl {
  readonly clock: Clock;
  readonly events: EventBus;
  /** Forgets every project's resources and every fault rule; a virtual clock returns to its start. */
  reset(): Promise<void>;
  /** Moves a virtual clock forward (throws on a real clock). */
  advanceClock(ms: number): void;
  addFault(rule: FaultRuleCreate): FaultRule;
  listFaults(): FaultRule[];
  removeFault(id: string): boolean;
  clearFaults(): void;
  /** Resolves when the connection's status satisfies `predicate` (checked now, then on every change). */
  waitForStatus(connectionId: string, predicate: (status: SipConnectionStatus) => boolean, timeoutMs?: number): Promise<SipConnectionStatus>;
}

export interface RunningEmulator {
  /** Base URL of the REST API, e.g. `http://127.0.0.1:4010`. */
  readonly url: string;
  /** Ports actually bound (useful with port 0). */
  readonly ports: { api: number; sip?: number };
  readonly seed: number;
  readonly control: EmulatorControl;
  close(): Promise<void>;
}

/**
 * Starts the emulator: REST API (public + control + docs) on one port.
 *
 * @example
 * const emulator = await startEmulator({ apiPort: 0, clock: 'virtual', logLevel: 'silent' });
 * await fetch(`${emulator.url}/public/agents`, { headers: { 'X-Api-Key': 'test' } });
 * await emulator.close();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const config = resolveConfig(options);
  const world = createWorld(config);
  if (config.sip) {
    // The SIP side (PBX, listeners, softphones, media) loads only when it runs: an API-only
    // emulator starts faster without it.
    const { startSipSide } = await import('./startSipSide.js');
    await startSipSide(config, world);
  }
  const { clock, events, faults, projects, listeners, app, reset } = world;
  const server: ServerType = await listen(app, config).catch(async (error: Error) => {
    await world.pbx?.close();
    throw error;
  });
  const apiPort = (server.address() as AddressInfo).port;
  world.ports.api = apiPort;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${apiPort}`;

  const control: EmulatorControl = {
    clock,
    events,
    reset,
    advanceClock(ms) {
      if (!(clock instanceof VirtualClock)) throw new Error('omnisip: the clock is real; start with clock: "virtual" to move time');
      clock.advance(ms);
      events.publish({ type: 'clock.advanced', at: clock.now(), now: clock.now() });
    },
    addFault: (rule) => faults.add(rule),
    listFaults: () => faults.list(),
    removeFault: (id) => faults.remove(id),
    clearFaults: () => faults.clear(),
    async waitForStatus(connectionId, predicate, timeoutMs = 10_000) {
      const record = projects.findSipConnection(connectionId);
      if (!record) throw new Error(`omnisip: no SIP connection '${connectionId}'`);
      const current = statusOf(record);
      if (predicate(current)) return current;
      const event = await events.waitFor(
        (e: EmulatorEvent) => e.type === 'connection.status' && e.connectionId === connectionId && predicate(e.status),
        timeoutMs,
        `connection ${connectionId} to reach the expected status`,
      );
      return (event as Extract<EmulatorEvent, { type: 'connection.status' }>).status;
    },
  };

  let closed = false;
  return {
    url,
    ports: { ...world.ports },
    seed: config.seed,
    control,
    async close() {
      if (closed) return;
      closed = true;
      for (const hook of world.onReset) await hook();
      await listeners.close();
      await world.pbx?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive and SSE connections would hold close() open forever.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}

function listen(app: World['app'], config: EmulatorConfig): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.apiPort }, () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'EADDRINUSE'
        ? `omnisip: port ${config.apiPort} on ${config.host} is already in use. Stop the other process, or pick another port with --api-port (0 picks a free one).`
        : `omnisip: cannot listen on ${config.host}:${config.apiPort}: ${error.message}`)),
    );
  });
}
