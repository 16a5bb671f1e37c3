import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SipTransport } from '../sip/index.js';
import { resolveConfig, type EmulatorConfig, type EmulatorOptions } from './config.js';
import type { EmulatorControl } from './control/EmulatorControl.js';
import { createWorld, type World } from './createWorld.js';

export interface RunningEmulator {
  /** Base URL of the REST API, e.g. `http://127.0.0.1:4010`. */
  readonly url: string;
  /** Ports actually bound (useful with port 0). */
  readonly ports: { api: number; sip?: number };
  /** The seed every draw came from when the run is reproducible (`seed` given); otherwise the seed of fault probabilities. */
  readonly seed: number;
  /** Every operation of the control API, in-process (see EmulatorControl). */
  readonly control: EmulatorControl;
  /** The parts, for tests and tools that look inside. */
  readonly world: World;
  close(): Promise<void>;
}

/**
 * Starts the emulator: binds its sockets (the PBX's SIP port, then the REST API's), builds the
 * world on them, and serves the public API, the control API and the docs.
 *
 * @example
 * const emulator = await startEmulator({ apiPort: 0, sipPort: 0, clock: 'virtual', seed: 1, logLevel: 'silent' });
 * await fetch(`${emulator.url}/public/agents`, { headers: { 'X-Api-Key': 'test' } });
 * emulator.control.advanceClock({ ms: 2000 });
 * await emulator.close();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const config = resolveConfig(options);
  // The SIP side (PBX, listeners, softphones, media) loads only when it runs: an API-only emulator starts faster without it.
  const sipSide = config.sip ? await import('./sipSide.js') : undefined;
  const pbxTransport = config.sip ? await bindPbx(config) : undefined;
  let server: Server;
  try {
    server = await bindHttp(config);
  } catch (error) {
    await pbxTransport?.close();
    throw error;
  }
  const ports = { api: (server.address() as AddressInfo).port, ...(pbxTransport && { sip: pbxTransport.udpPort ?? pbxTransport.tcpPort }) };
  if (pbxTransport) config.logger.info(`built-in PBX listening on ${config.host}:${ports.sip} (UDP and TCP); it serves every server name that is not an IP address or localhost`);
  // No await between the bind above and the handler below: no request can arrive before the world is whole.
  let world: World;
  try {
    world = createWorld(config, { ports, ...(pbxTransport && sipSide && { sip: { transport: pbxTransport, build: sipSide.buildSipSide } }) });
  } catch (error) {
    // E.g. a state dir that cannot be read: nothing may keep the process alive after the message.
    server.close();
    await pbxTransport?.close();
    throw error;
  }
  server.on('request', world.listener);

  let closing: Promise<void> | undefined;
  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${ports.api}`,
    ports,
    seed: config.seed,
    control: world.control,
    world,
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive and event-stream connections would hold close() open forever.
        server.closeAllConnections();
        await world.close();
        await stopped;
      })()),
  };
}

async function bindPbx(config: EmulatorConfig): Promise<SipTransport> {
  const { createNetworkTransport } = await import('../sip/index.js');
  try {
    return await createNetworkTransport({ address: config.host, port: config.sipPort, protocols: ['UDP', 'TCP'] });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as { code?: string }).code;
    throw new Error(code === 'EADDRINUSE'
      ? `omnisip: SIP port ${config.sipPort} on ${config.host} is already in use (another PBX or softphone?). Stop it, or pick another port with --sip-port (0 picks a free one).`
      : `omnisip: cannot start the built-in PBX on ${config.host}:${config.sipPort}: ${(error as Error).message}`);
  }
}

function bindHttp(config: EmulatorConfig): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'EADDRINUSE'
        ? `omnisip: port ${config.apiPort} on ${config.host} is already in use. Stop the other process, or pick another port with --api-port (0 picks a free one).`
        : `omnisip: cannot listen on ${config.host}:${config.apiPort}: ${error.message}`)),
    );
    server.listen(config.apiPort, config.host, () => resolve(server));
  });
}
