import { TransportError } from './TransportError.js';
import type { Endpoint, InboundPacket, SipTransport, TransportProtocol } from './SipTransport.js';

/** One simulated TCP connection; both ends name it by the same flow id. */
export interface MemoryConnection {
  readonly id: string;
  /** The connecting side, seen from the peer at an ephemeral port, as with real TCP. */
  readonly client: { transport: MemoryTransport; endpoint: Endpoint };
  /** The listening side, at its listening port. */
  readonly server: { transport: MemoryTransport; endpoint: Endpoint };
  open: boolean;
}

/** What a MemoryTransport needs from its network. */
export interface MemoryHub {
  /** `peer` is the other end of a TCP connection, whose endpoint may be an ephemeral port nobody listens on. */
  route(data: Buffer, source: Endpoint, destination: Endpoint, flowId: string, peer?: MemoryTransport): void;
  connect(from: MemoryTransport, destination: Endpoint): MemoryConnection | TransportError;
  detach(transport: MemoryTransport): void;
}

/** A SipTransport whose packets travel through a MemoryNetwork instead of sockets. */
export class MemoryTransport implements SipTransport {
  private readonly handlers = new Set<(packet: InboundPacket) => void>();
  /** Open connections this transport is an end of, by flow id. */
  readonly connections = new Map<string, MemoryConnection>();
  private closed = false;

  constructor(
    private readonly hub: MemoryHub,
    readonly address: string,
    private readonly port: number,
    private readonly protocols: ReadonlySet<TransportProtocol>,
  ) {}

  get udpPort(): number | undefined {
    return this.protocols.has('UDP') ? this.port : undefined;
  }

  get tcpPort(): number | undefined {
    return this.protocols.has('TCP') ? this.port : undefined;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  listens(protocol: TransportProtocol): boolean {
    return !this.closed && this.protocols.has(protocol);
  }

  async send(data: Buffer, destination: Endpoint, flowId?: string): Promise<void> {
    if (!this.listens(destination.protocol)) {
      throw new TransportError('ENOTSUP', destination, { detail: this.closed ? 'transport closed' : `${destination.protocol} not enabled` });
    }
    // Like a socket, a send never completes synchronously.
    await Promise.resolve();
    if (destination.protocol === 'UDP') {
      const source: Endpoint = { protocol: 'UDP', address: this.address, port: this.port };
      this.hub.route(data, source, destination, `UDP ${this.address}:${this.port}`);
      return;
    }
    const connection = this.findConnection(destination, flowId) ?? this.hub.connect(this, destination);
    if (connection instanceof TransportError) throw connection;
    const [self, peer] = connection.client.transport === this ? [connection.client, connection.server] : [connection.server, connection.client];
    this.hub.route(data, self.endpoint, { ...peer.endpoint }, connection.id, peer.transport);
  }

  onPacket(handler: (packet: InboundPacket) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const connection of this.connections.values()) connection.open = false;
    this.connections.clear();
    this.handlers.clear();
    this.hub.detach(this);
  }

  /** Called by the network when a packet arrives. */
  receive(packet: InboundPacket): void {
    if (this.closed) return;
    for (const handler of [...this.handlers]) handler(packet);
  }

  private findConnection(destination: Endpoint, flowId: string | undefined): MemoryConnection | undefined {
    const flow = flowId === undefined ? undefined : this.connections.get(flowId);
    if (flow?.open) return flow;
    for (const connection of this.connections.values()) {
      const peer = connection.client.transport === this ? connection.server.endpoint : connection.client.endpoint;
      if (connection.open && peer.address === destination.address && peer.port === destination.port) return connection;
    }
    return undefined;
  }
}
