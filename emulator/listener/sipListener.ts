import { createNetworkTransport, SipStack, type Endpoint, type SipTransport, type TransportProtocol } from '../../sip/index.js';
import { RegisterClient } from '../../sip/useragent/RegisterClient.js';
import { UserAgent } from '../../sip/dialog/index.js';
import type { Calls } from '../core/calls.js';
import type { SipTraceEntry } from '../../sip/index.js';
import type { Projects } from '../core/projects.js';
import { AgentCall, type AgentCallHandle } from './calls/AgentCall.js';
import { effectiveAgentConfig } from './calls/effectiveAgentConfig.js';
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
  /** Call handling; without it the listener refuses calls with 480. */
  calls?: ListenerCallOptions;
}

export interface ListenerCallOptions {
  registry: Calls;
  projects: Projects;
  /** Simultaneous SIP calls per project (the vendor documents 5 per organization). */
  maxConcurrentCalls: number;
  /** No RTP from the caller for this long ends a call. */
  rtpTimeoutMs: number;
  /** Makes a live call reachable from the control API; returns the detach function. */
  attach(recordId: string, handle: AgentCallHandle): () => void;
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
  /** The calls the agent is on: a stopping listener hangs them up, or their RTP would go on. */
  const calls = new Set<AgentCall>();

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
      onTrace: (entry) => {
        options.traces.record(record.id, entry);
        if (options.calls) captureCallMessage(options.calls.registry, entry);
      },
      onWarning: (message) => options.logger.warn(`connection ${record.id}: ${message}`),
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
    const ua = new UserAgent(stack, { contact: client.contact, ...(options.sipTimers ? { timers: options.sipTimers } : {}), onWarning: (m) => options.logger.warn(`connection ${record.id}: ${m}`) });
    ua.onInvite((incoming) => {
      if (!options.calls) return void incoming.reject(480);
      const call: AgentCall = new AgentCall({
        incoming,
        connectionId: record.id,
        domain: settings.domain,
        config: callConfig(record, options.calls.projects),
        overLimit: activeCallsInProject(record, options.calls.projects) >= options.calls.maxConcurrentCalls,
        calls: options.calls.registry,
        report,
        logger: options.logger,
        rtpTimeoutMs: options.calls.rtpTimeoutMs,
        attach: options.calls.attach,
        onEnd: () => calls.delete(call),
      });
      calls.add(call);
      void call.run();
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
      for (const call of [...calls]) call.stop('the listener stopped');
      await client?.stop({ unregister });
      await stack?.close();
      if (viaPbx) options.pbx!.unmirror(record.id);
    },
  };
}

/** The settings a new call runs with, read at call time so that PUT and PATCH apply to the next call. */
function callConfig(record: SipConnectionRecord, projects: Projects): ReturnType<typeof effectiveAgentConfig> | { refuse: string } {
  const project = projects.get(record.apiKey);
  const channel = project.agents.getChannel(record.agentId, 'sip');
  if (!channel.ok) {
    return { refuse: `agent ${record.agentId} has no SIP channel config, which the docs require for routing calls (PUT /public/agents/${record.agentId}/channels/sip)` };
  }
  const agent = project.agents.get(record.agentId);
  return effectiveAgentConfig(agent.ok ? agent.value : undefined, channel.value);
}

function activeCallsInProject(record: SipConnectionRecord, projects: Projects): number {
  return projects.get(record.apiKey).sipConnections.all().reduce((sum, r) => sum + r.state.activeCalls, 0);
}

const callIdPattern = /^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)/im;

/** Keeps the SIP messages of calls for their pcap: an INVITE opens a call, the rest follow by Call-ID. */
function captureCallMessage(registry: Calls, entry: SipTraceEntry): void {
  const callId = callIdPattern.exec(entry.data.toString('latin1', 0, Math.min(entry.data.length, 4096)))?.[1];
  if (!callId) return;
  if (!registry.findByCallId(callId) && !entry.data.subarray(0, 7).equals(Buffer.from('INVITE '))) return;
  const us = { address: entry.local.address, port: entry.local.port };
  const them = { address: entry.remote.address, port: entry.remote.port };
  registry.capture(callId, {
    at: entry.at,
    protocol: entry.remote.protocol,
    source: entry.direction === 'out' ? us : them,
    destination: entry.direction === 'out' ? them : us,
    payload: entry.data,
  });
}
