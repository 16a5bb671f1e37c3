/** The transports a SIP element speaks. TLS and WebSocket are not emulated. */
export type TransportProtocol = 'UDP' | 'TCP';

/** One side of a SIP hop: protocol plus IP address (or hostname, for destinations) and port. */
export interface Endpoint {
  protocol: TransportProtocol;
  address: string;
  port: number;
}

/** One complete SIP message as bytes (TCP already framed by Content-Length), where it came from, and the flow to answer on. */
export interface InboundPacket {
  data: Buffer;
  source: Endpoint;
  local: Endpoint;
  /** Identifies the connection (TCP) or socket (UDP) the message arrived on; pass it to `send` to answer on the same flow (RFC 3261 §18.2.2). */
  flowId: string;
}

/**
 * Moves SIP messages as bytes. Implemented over real sockets by `createNetworkTransport`
 * and in memory by `createMemoryNetwork().createTransport(...)`.
 */
export interface SipTransport {
  /** The local address the transport is bound to. */
  readonly address: string;
  /** Ports actually bound (port 0 → ephemeral); undefined when that protocol is not enabled. */
  readonly udpPort: number | undefined;
  readonly tcpPort: number | undefined;
  /**
   * Sends one message. TCP: reuses the flow named by `flowId` if it is still open, else any open
   * connection to the destination, else connects. Resolves when handed to the OS; rejects with a
   * `TransportError` whose `code` says what went wrong.
   */
  send(data: Buffer, destination: Endpoint, flowId?: string): Promise<void>;
  /** Subscribes to inbound messages; returns the unsubscribe function. */
  onPacket(handler: (packet: InboundPacket) => void): () => void;
  close(): Promise<void>;
}

/** `udp:127.0.0.1:5060`: a readable key for an endpoint, used in flow tables and messages. */
export function formatEndpoint(endpoint: Endpoint): string {
  const host = endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address;
  return `${endpoint.protocol} ${host}:${endpoint.port}`;
}
