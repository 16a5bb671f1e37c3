import type { RandomSource } from '../../random/index.js';
import { createNetworkTransport, type Endpoint, generateCallId, type IncomingInvite, type RegisterClient, SipStack, type SipTransport, type TransportProtocol, UserAgent } from '../../sip/index.js';
import type { Calls } from '../core/calls.js';
import type { FaultRules } from '../core/FaultRules.js';
import type { Logger } from '../core/logger.js';
import type { Projects } from '../core/projects.js';
import type { SipConnectionRecord } from '../core/sipConnections.js';
import type { Journal } from '../journal/index.js';
import { sipRecorder } from '../journal/sipRecorder.js';
import { activeCallsInProject, callConfig } from './admission.js';
import { AgentCall, type AgentCallHandle, type OutboundLeg } from './calls/AgentCall.js';
import type { ListenerContext, ListenerFactory, SipListener } from './ListenerManager.js';
import { startRegistration } from './registration.js';

/** How long a stopping listener waits for the answers to its BYEs and unREGISTER. */
const STOP_GRACE_MS = 1000;

/** What a listener needs of the built-in PBX: whether it serves a server name, and where it listens. */
export interface PbxRoute {
  serves(server: string): boolean;
  endpoint(protocol: TransportProtocol): Endpoint;
}

export interface SipListenerOptions {
  logger: Logger;
  journal: Journal;
  /** Each listener's tags, Call-IDs and cnonces draw from a fork of it named by the connection. */
  random: RandomSource;
  /** Absent when the emulator runs without its PBX: then every server is reached over the network. */
  pbx?: PbxRoute;
  /** Requested registration lifetime, seconds. Default 3600. */
  registerExpires?: number;
  /** Backoff after a failed registration: first retry, and the cap. Default 5 s and 60 s, on the emulator clock. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Opens the listener's own SIP transport; default a UDP or TCP socket on 127.0.0.1, ephemeral port. */
  openTransport?: (protocol: TransportProtocol) => Promise<SipTransport>;
  /** Shorter SIP timers for tests (T1 etc.); default RFC 3261 values. */
  sipTimers?: { T1?: number; T2?: number; T4?: number };
  /** Call handling; without it the listener refuses calls with 480. */
  calls?: ListenerCallOptions;
}

export interface ListenerCallOptions {
  registry: Calls;
  projects: Projects;
  /** `rtp` fault rules impair calls' audio. */
  faults: FaultRules;
  /** Simultaneous SIP calls per project (the vendor documents 5 per organization). */
  maxConcurrentCalls: number;
  /** No RTP from the caller for this long ends a call. */
  rtpTimeoutMs: number;
  /** Makes a live call reachable from the control plane; returns the detach function. */
  attach(recordId: string, handle: AgentCallHandle): () => void;
  /** When the PBX stops passing the caller's RTP on this connection's calls (its `rtpStopsAfterMs` quirk), ms after the answer. */
  rtpStopsAfterMs?: (connectionId: string, sipCallId: string) => number | undefined;
}

/** `UDP`/`TCP` from the connection's `settings.transport`, which the API accepts in any case. */
export function protocolOf(record: SipConnectionRecord): TransportProtocol {
  return record.settings.transport.toUpperCase() === 'UDP' ? 'UDP' : 'TCP';
}

/**
 * The listener of one SIP connection, as the vendor deploys it: its own SIP endpoint that
 * REGISTERs `username@domain` with `settings.server:port` over `settings.transport` (or with the
 * built-in PBX for names it serves), keeps the registration fresh, answers the agent's calls, and
 * reports every outcome to the lifecycle state machine. Every SIP message goes to the journal.
 */
export function createSipListenerFactory(options: SipListenerOptions): ListenerFactory {
  return (context) => startSipListener(context, options);
}

function startSipListener(context: ListenerContext, options: SipListenerOptions): SipListener {
  const { record, clock, report } = context;
  const { settings } = record;
  const { journal, logger } = options;
  const protocol = protocolOf(record);
  const viaPbx = options.pbx?.serves(settings.server) ?? false;
  const destination: Endpoint = viaPbx ? options.pbx!.endpoint(protocol) : { protocol, address: settings.server, port: settings.port };
  const serverLabel = `${settings.server}:${settings.port} over ${protocol}${viaPbx ? ` (built-in PBX at ${destination.address}:${destination.port})` : ''}`;
  const party = { stack: 'listener', connectionId: record.id } as const;

  let stack: SipStack | undefined;
  let ua: UserAgent | undefined;
  let random: RandomSource | undefined;
  let registration: RegisterClient | undefined;
  let stopped = false;
  /** The calls the agent is on: a stopping listener hangs them up, or their RTP would go on. */
  const calls = new Set<AgentCall>();

  const ready = (async () => {
    const transport = await (options.openTransport ?? ((p) => createNetworkTransport({ address: '127.0.0.1', port: 0, protocols: [p] })))(protocol);
    if (stopped) {
      await transport.close();
      return;
    }
    random = options.random.fork(`listener:${record.id}`);
    stack = new SipStack({
      transport,
      timers: options.sipTimers,
      userAgent: 'omnisip-listener',
      random: random.bytes,
      onTrace: sipRecorder(journal, party),
      onWarning: (message) => logger.warn(`connection ${record.id}: ${message}`),
    });
    registration = startRegistration({
      record, stack, destination, serverLabel, clock, journal, logger, report,
      expires: options.registerExpires ?? 3600,
      retryMs: options.retryMs ?? 5000,
      maxRetryMs: options.maxRetryMs ?? 60_000,
    });
    ua = new UserAgent(stack, { contact: registration.contact, ...(options.sipTimers ? { timers: options.sipTimers } : {}), onWarning: (m) => logger.warn(`connection ${record.id}: ${m}`) });
    ua.onInvite((incoming) => startCall({ incoming }));
  })().catch((error: Error) => {
    logger.error(`connection ${record.id}: listener could not start: ${error.message}`);
    report({ type: 'crashed', message: `Listener could not open its SIP socket: ${error.message}` });
  });

  /** The agent on one call, inbound or outbound, until it ends. */
  const startCall = (leg: { incoming: IncomingInvite } | { outbound: OutboundLeg }): void => {
    if (!options.calls) return void ('incoming' in leg && leg.incoming.reject(480));
    const { registry, projects, faults, maxConcurrentCalls, rtpTimeoutMs, attach, rtpStopsAfterMs } = options.calls;
    const call: AgentCall = new AgentCall({
      ...leg,
      connectionId: record.id,
      domain: settings.domain,
      config: callConfig(record, projects),
      overLimit: activeCallsInProject(record, projects) >= maxConcurrentCalls,
      calls: registry,
      journal,
      random: random!,
      faults,
      report,
      logger,
      rtpTimeoutMs,
      attach,
      ...(rtpStopsAfterMs && { rtpStopsAfterMs: (sipCallId: string) => rtpStopsAfterMs(record.id, sipCallId) }),
      onEnd: () => calls.delete(call),
    });
    calls.add(call);
    void call.run();
  };

  return {
    /** An outbound call: INVITE `sip:{destination}@{domain}` through the server the listener registers with, answering its challenge with the connection's credentials. */
    placeCall({ destination: callee, initialSpeech }) {
      if (!stack || !ua || stopped) throw new Error(`connection ${record.id}: the listener is not running`);
      const agentUa = ua;
      const from = `sip:${settings.username}@${settings.domain}`;
      const callId = generateCallId(undefined, stack.random);
      startCall({
        outbound: {
          callId,
          from: settings.username,
          to: callee,
          ...(initialSpeech !== undefined ? { initialSpeech } : {}),
          invite: (sdp) => agentUa.invite({ callId, target: `sip:${callee}@${settings.domain}`, from, destination, sdp, credentials: { username: settings.username, password: record.password } }),
        },
      });
    },
    sipStats: () => stack?.stats(),
    async stop({ unregister }) {
      stopped = true;
      await ready;
      for (const call of [...calls]) call.stop('the listener stopped');
      const unregistering = registration?.stop({ unregister });
      // The BYEs and the unREGISTER are on their way: a short grace for their answers, then they are
      // abandoned (a server that has gone away would hold the unREGISTER for Timer F, 32 s).
      await stack?.close({ graceMs: STOP_GRACE_MS });
      await unregistering;
      if (registration && unregister) journal.record({ kind: 'registration', connectionId: record.id, phase: 'unregistered', server: serverLabel });
    },
  };
}
