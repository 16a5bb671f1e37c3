import { MemoryTransport, type MemoryConnection, type MemoryHub } from './MemoryTransport.js';
import { seededRandom } from '../../random/index.js';
import { TransportError } from './TransportError.js';
import type { Endpoint, SipTransport, TransportProtocol } from './SipTransport.js';

export type DropPredicate = (packet: Buffer, from: Endpoint, to: Endpoint) => boolean;

export interface MemoryNetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
}

/** Ephemeral ports for port-0 transports and for the client side of connections. */
const FIRST_EPHEMERAL_PORT = 49152;

/**
 * An in-memory network for socket-free tests: transports attach at an address and port, and
 * every packet goes through one place that can drop, delay or partition it, deterministically
 * for a given seed.
 *
 * Delivery is always asynchronous: on a microtask (queueMicrotask) when there is no delay, so
 * nothing arrives before `send` returns, and with setTimeout(delay) otherwise, so fake timers
 * control it. Packets between two transports arrive in the order they were sent.
 *
 * UDP may be lost (`setDropRate`); TCP is lossless unless a test asks (`dropNext`, `dropWhen`,
 * `partition`). TCP to an address and port nobody listens on is refused (ECONNREFUSED).
 *
 * @example
 * const network = createMemoryNetwork({ seed: 7 });
 * const pbx = network.createTransport('127.0.0.1', 5060);
 * const phone = network.createTransport('127.0.0.2', 5060);
 * network.setDropRate(0.2); // 20% of UDP datagrams vanish
 */
export class MemoryNetwork {
  private readonly transports = new Map<string, MemoryTransport>();
  private readonly random: () => number;
  private readonly partitions = new Set<string>();
  private dropRate = 0;
  private dropCount = 0;
  private dropPredicate: DropPredicate | undefined;
  private delay = 0;
  private nextPort = FIRST_EPHEMERAL_PORT;
  private nextConnection = 1;
  readonly stats: MemoryNetworkStats = { sent: 0, delivered: 0, dropped: 0 };

  constructor(options: { seed?: number } = {}) {
    this.random = seededRandom(options.seed ?? 1);
  }

  /** Attaches a transport listening on UDP and TCP (or the given protocols) at address:port; port 0 picks a free one. */
  createTransport(address: string, port: number, options: { protocols?: TransportProtocol[] } = {}): SipTransport {
    const bound = port === 0 ? this.nextPort++ : port;
    const key = `${address}:${bound}`;
    if (this.transports.has(key)) throw new Error(`MemoryNetwork: ${key} is already in use; close that transport first or use port 0`);
    const transport = new MemoryTransport(this.hub, address, bound, new Set(options.protocols ?? ['UDP', 'TCP']));
    this.transports.set(key, transport);
    return transport;
  }

  /** Probability in [0, 1] that a UDP datagram is lost. */
  setDropRate(rate: number): void {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`MemoryNetwork: drop rate must be within [0, 1], got ${rate}`);
    this.dropRate = rate;
  }

  /** Loses the next `count` packets, whatever their protocol. */
  dropNext(count: number): void {
    this.dropCount = count;
  }

  /** Loses every packet (any protocol) for which the predicate returns true; undefined removes it. */
  dropWhen(predicate: DropPredicate | undefined): void {
    this.dropPredicate = predicate;
  }

  /** Delays every delivery by `ms` milliseconds (0: next microtask). */
  setDelay(ms: number): void {
    this.delay = ms;
  }

  /** Loses everything between the two addresses, both ways, until `heal`. New TCP connections time out. */
  partition(a: string, b: string): void {
    this.partitions.add(pairKey(a, b));
  }

  heal(): void {
    this.partitions.clear();
  }

  /** Closes every open TCP connection with an end at `address` (all of them when omitted), as a peer crash or NAT timeout would. */
  closeConnections(address?: string): void {
    for (const transport of this.transports.values()) {
      for (const [id, connection] of transport.connections) {
        const ends = [connection.client.endpoint.address, connection.server.endpoint.address];
        if (address !== undefined && !ends.includes(address)) continue;
        connection.open = false;
        transport.connections.delete(id);
      }
    }
  }

  private readonly hub: MemoryHub = {
    route: (data, source, destination, flowId, peer) => this.route(data, source, destination, flowId, peer),
    connect: (from, destination) => this.connect(from, destination),
    detach: (transport) => {
      for (const [key, value] of this.transports) if (value === transport) this.transports.delete(key);
    },
  };

  private route(data: Buffer, source: Endpoint, destination: Endpoint, flowId: string, peer: MemoryTransport | undefined): void {
    this.stats.sent++;
    if (this.shouldDrop(data, source, destination)) {
      this.stats.dropped++;
      return;
    }
    // Copy: the sender may reuse its buffer, a real network would not see that.
    const bytes = Buffer.from(data);
    const deliver = (): void => {
      const target = peer ?? this.transports.get(`${destination.address}:${destination.port}`);
      if (!target?.listens(destination.protocol)) return;
      // Bytes in flight on a connection that closed meanwhile are lost with it.
      if (destination.protocol === 'TCP' && !target.connections.get(flowId)?.open) return;
      this.stats.delivered++;
      // `local` is the listening port, as with the network transport, even for the client end of a connection.
      const local: Endpoint = { protocol: destination.protocol, address: target.address, port: target.udpPort ?? target.tcpPort ?? destination.port };
      const inboundFlow = destination.protocol === 'TCP' ? flowId : `UDP ${source.address}:${source.port}`;
      target.receive({ data: bytes, source: { ...source }, local, flowId: inboundFlow });
    };
    if (this.delay > 0) setTimeout(deliver, this.delay);
    else queueMicrotask(deliver);
  }

  private shouldDrop(data: Buffer, source: Endpoint, destination: Endpoint): boolean {
    if (this.partitions.has(pairKey(source.address, destination.address))) return true;
    if (this.dropPredicate?.(data, source, destination)) return true;
    if (this.dropCount > 0) {
      this.dropCount--;
      return true;
    }
    return destination.protocol === 'UDP' && this.dropRate > 0 && this.random() < this.dropRate;
  }

  private connect(from: MemoryTransport, destination: Endpoint): MemoryConnection | TransportError {
    if (this.partitions.has(pairKey(from.address, destination.address))) return new TransportError('ETIMEDOUT', destination, { detail: 'network partitioned' });
    const server = this.transports.get(`${destination.address}:${destination.port}`);
    if (!server?.listens('TCP')) return new TransportError('ECONNREFUSED', destination);
    const id = `MEM-TCP#${this.nextConnection++}`;
    const connection: MemoryConnection = {
      id,
      client: { transport: from, endpoint: { protocol: 'TCP', address: from.address, port: this.nextPort++ } },
      server: { transport: server, endpoint: { protocol: 'TCP', address: server.address, port: destination.port } },
      open: true,
    };
    from.connections.set(id, connection);
    server.connections.set(id, connection);
    return connection;
  }
}

/** Creates an in-memory network; see MemoryNetwork. */
export function createMemoryNetwork(options: { seed?: number } = {}): MemoryNetwork {
  return new MemoryNetwork(options);
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
