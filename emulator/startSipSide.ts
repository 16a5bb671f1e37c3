import type { EmulatorConfig } from './config.js';
import { EmulatorCalls } from './control/EmulatorCalls.js';
import { seededRandom } from '../random/seededRandom.js';
import { SoftphoneFleet } from './control/SoftphoneFleet.js';
import type { World } from './createWorld.js';
import { createSipListenerFactory, type PbxForListeners } from './listener/sipListener.js';
import { Pbx } from './pbx/index.js';

/**
 * Starts the emulator's SIP side into `world`: SIP listeners for the connections, the built-in
 * PBX, and the softphones and calls of the control API.
 */
export async function startSipSide(config: EmulatorConfig, world: World): Promise<void> {
  world.listenerFactory = createSipListenerFactory({
    logger: config.logger,
    traces: world.traces,
    pbx: lazyPbx(() => world.pbx),
    registerExpires: config.registerExpires,
    retryMs: config.registerRetryMs,
    sipTimers: config.sipTimers,
    calls: {
      registry: world.callRegistry,
      projects: world.projects,
      maxConcurrentCalls: config.maxConcurrentCalls,
      rtpTimeoutMs: config.rtpTimeoutMs,
      attach: (id, handle) => {
        world.agentCalls.set(id, handle);
        return () => world.agentCalls.delete(id);
      },
    },
  });
  world.pbx = await startPbx(config, world);
  world.ports.sip = world.pbx.ports.udp ?? world.pbx.ports.tcp;
  const softphones = new SoftphoneFleet(world.pbx, world.callRegistry, config.logger);
  world.calls = new EmulatorCalls(world.callRegistry, world.agentCalls, softphones);
  world.onReset.push(() => softphones.stopAll());
}

/** Listeners are built before the PBX listens; they reach it through this, once they start. */
function lazyPbx(get: () => Pbx | undefined): PbxForListeners {
  const pbx = () => {
    const current = get();
    if (!current) throw new Error('omnisip: a listener started before the built-in PBX was listening');
    return current;
  };
  return {
    serves: (server) => pbx().serves(server),
    endpoint: (protocol) => pbx().endpoint(protocol),
    mirror: (id, account) => pbx().mirror(id, account),
    unmirror: (id) => get()?.unmirror(id),
  };
}

async function startPbx(config: EmulatorConfig, world: World): Promise<Pbx> {
  try {
    const pbx = await Pbx.start({
      host: config.host,
      port: config.sipPort,
      clock: world.clock,
      faults: world.faults,
      logger: config.logger,
      // Its own stream, so SIP loss does not shift the API's fault draws for the same seed.
      random: seededRandom(config.seed ^ 0x5eed),
      accounts: config.pbxAccounts,
      digest: { algorithms: config.digestAlgorithms },
      sipTimers: config.sipTimers,
    });
    config.logger.info(`built-in PBX listening on ${config.host}:${pbx.ports.udp} (UDP and TCP); it serves every server name that is not an IP address or localhost`);
    return pbx;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as { code?: string }).code;
    throw new Error(code === 'EADDRINUSE'
      ? `omnisip: SIP port ${config.sipPort} on ${config.host} is already in use (another PBX or softphone?). Stop it, or pick another port with --sip-port (0 picks a free one).`
      : `omnisip: cannot start the built-in PBX on ${config.host}:${config.sipPort}: ${(error as Error).message}`);
  }
}

