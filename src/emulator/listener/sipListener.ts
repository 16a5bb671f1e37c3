import { createNetworkTransport, createResponse, SipStack, type Endpoint, type SipTransport, type TransportProtocol } from '../../sip/index.js';
import { RegisterClient } from '../../sip/useragent/RegisterClient.js';
import type { Scheduler } from '../../sip/useragent/Scheduler.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { SipConnectionRecord } from '../core/sipConnections.js';
import type { Logger } from '../logger.js';
import type { ListenerContext, ListenerFactory, SipListener } from './ListenerManager.js';
import type { SipTraces } from './SipTraces.js';

/** What a listener needs of the built-in PBX: whether it serves a server name, where it is, and its accounts. */
export interface PbxForListeners {
  serves(server: string): boolean;
  endpoint(protocol: TransportProtocol): Endpoint;
  mirror(connectionId: string, account: { username: string; domain: string; password: string }): void;
  unmirror(connectionId: string): void;
}

export interface SipListenerOptions {
  logger: Logger;
  traces: SipTraces;
  /** Absent when the emulator runs without its PBX: then every server is reached over the network. */
  pbx?: PbxForListeners;
  /** Requested registration lifetime, seconds. Default 3600. */
  registerExpires?: number;
  /** Backoff after a failed registration: first retry, and the cap. Default 5 s and 60 s, on the emulator clock. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Opens the listener's own SIP transport; default a UDP or TCP socket on 127.0.0.1, ephemeral port. */
  openTransport?: (protocol: TransportProtocol) => Promise<SipTransport>;
  /** Shorter SIP timers for tests (T1 etc.); default RFC 3261 values. */
  sipTimers?: { T1?: number; T2?: number; T4?: number };
}

const schedulerOf = (clock: Clock): Scheduler => ({
  setTimeout: (callback, ms) => clock.setTimeout(callback, ms),
  clearTimeout: (handle) => clock.clearTimeout(handle as TimerHandle | undefined),
});

/** `UDP`/`TCP` from the connection's `settings.transport`, which the API accepts in any case. */
export function protocolOf(record: SipConnectionRecord): TransportProtocol {
  return record.settings.transport.toUpperCase() === 'UDP' ? 'UDP' : 'TCP';
}

/**
 * The listener of one SIP connection, as the vendor deploys it: its own SIP endpoint that
 * REGISTERs `username@domain` with `settings.server:port` over `settings.transport`, keeps the
 * registration fresh, and reports every outcome to the lifecycle state machine.
 */
export function createSipListenerFactory(options: SipListenerOptions): ListenerFactory {
  return (context) => startSipListener(context, options);
}

function startSipListener(context: ListenerContext, options: SipListenerOptions): SipListener {
  const { record, clock, report } = context;
  const { settings } = record;
  const protocol = protocolOf(record);
  const viaPbx = options.pbx?.serves(settings.server) ?? false;
  const destination: Endpoint = viaPbx ? options.pbx!.endpoint(protocol) : { protocol, address: settings.server, port: settings.port };
  const serverLabel = `${settings.server}:${settings.port} over ${protocol}${viaPbx ? ` (built-in PBX at ${destination.address}:${destination.port})` : ''}`;
  options.traces.open(record.id);
  if (viaPbx) options.pbx!.mirror(record.id, { username: settings.username, domain: settings.domain, password: record.password });

  let stack: SipStack | undefined;
  let client: RegisterClient | undefined;
  let stopped = false;

  const ready = (async () => {
    const transport = await (options.openTransport ?? ((p) => createNetworkTransport({ address: '127.0.0.1', port: 0, protocols: [p] })))(protocol);
    if (stopped) {
      await transport.close();
      return;
    }
    stack = new SipStack({
      transport,
      timers: options.sipTimers,
      userAgent: 'omnisip-listener',
      onTrace: (entry) => options.traces.record(record.id, entry),
      onWarning: (message) => options.logger.warn(`connection ${record.id}: ${message}`),
    });
    // Calls arrive in the next milestone; until then a request to the listener is refused clearly.
    stack.onRequest((request, tx) => {
      if (request.method === 'ACK' || !tx) return;
      tx.respond(createResponse(request, 480, 'Listener not accepting calls yet'));
    });
    report({ type: 'registering' });
    client = new RegisterClient({
      stack,
      destination,
      serverLabel,
      username: settings.username,
      password: record.password,
      domain: settings.domain,
      expires: options.registerExpires ?? 3600,
      scheduler: schedulerOf(clock),
      retryMs: options.retryMs ?? 5000,
      maxRetryMs: options.maxRetryMs ?? 60_000,
      onRegistered: (expires) => {
        options.logger.info(`connection ${record.id}: registered ${settings.username}@${settings.domain} with ${serverLabel} for ${expires} s`);
        report({ type: 'registered' });
      },
      onFailed: (failure) => {
        options.logger.warn(`connection ${record.id}: ${failure.message} (${serverLabel}); retrying with backoff`);
        report({ type: 'registrationFailed', code: failure.code, message: failure.message });
      },
    });
    client.start();
  })().catch((error: Error) => {
    options.logger.error(`connection ${record.id}: listener could not start: ${error.message}`);
    report({ type: 'crashed', message: `Listener could not open its SIP socket: ${error.message}` });
  });

  return {
    async stop({ unregister }) {
      stopped = true;
      await ready;
      await client?.stop({ unregister });
      await stack?.close();
      if (viaPbx) options.pbx!.unmirror(record.id);
    },
  };
}
