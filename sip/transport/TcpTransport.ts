import { connect, createServer, type Server, type Socket } from 'node:net';

/** Connections waiting to be accepted; the kernel caps it at net.core.somaxconn (4096 on current Linux). */
const LISTEN_BACKLOG = 4096;
import { TcpConnection } from './TcpConnection.js';
import { TransportError } from './TransportError.js';
import type { Endpoint, InboundPacket } from './SipTransport.js';

export interface TcpTransportOptions {
  connectTimeout: number;
  idleTimeout: number;
  maxBufferSize: number;
  onWarning: (message: string) => void;
  onFlowClosed: (flowId: string) => void;
}

/**
 * Whether an outgoing connection must be bound to the transport's address to leave from it. Not for
 * a wildcard address, and not where the kernel picks that source anyway: from 127.0.0.1 to any
 * address of 127.0.0.0/8, from ::1 to ::1. Binding costs more than it seems: a bound socket takes
 * its port in bind(), from the half of the ephemeral range bind() draws from, the half every
 * listening socket also draws from. Listening and connecting that way in turn, as 5,000 TCP
 * listeners do, cost 23-54 µs and 136-226 µs up to 3,000 pairs, then 1.3-2.8 ms each (the kernel's
 * port search through a crowded half), and 5,000 TCP connections took twice as long as 5,000 over
 * UDP (bench:sip-register --connections). An unbound socket takes its port in connect(), which only
 * has to avoid the same 4-tuple.
 */
export function needsSourceBind(local: string, destination: string): boolean {
  if (local === '0.0.0.0' || local === '::') return false;
  if (local === '127.0.0.1') return !LOOPBACK_V4.test(destination);
  if (local === '::1') return destination !== '::1';
  return true;
}

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * A TCP server plus the outbound connections we open, as one table of flows.
 * Replies go on the flow a request came in on (RFC 3261 §18.2.2); new requests reuse any open
 * connection to the same address and port (§18.1.1) before opening another.
 */
export class TcpTransport {
  private readonly connections = new Map<string, TcpConnection>();
  private readonly connecting = new Map<string, Promise<TcpConnection>>();
  private nextId = 1;

  private constructor(
    private readonly server: Server,
    readonly address: string,
    readonly port: number,
    private readonly options: TcpTransportOptions,
    private readonly deliver: (packet: InboundPacket) => void,
  ) {
    server.on('connection', (socket) => this.adopt(socket));
  }

  /** Listens; rejects with the system error (e.g. EADDRINUSE) so the caller can retry another port. */
  static listen(address: string, port: number, options: TcpTransportOptions, deliver: (packet: InboundPacket) => void): Promise<TcpTransport> {
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      // A PBX that thousands of listeners connect to at once (5,000 connections deployed together):
      // Node's default backlog of 511 drops the rest of the burst; the kernel caps this at somaxconn.
      server.listen({ host: address, port, exclusive: true, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', reject);
        server.on('error', (error) => options.onWarning(`SIP transport: TCP server error: ${error.message}`));
        const info = server.address();
        const bound = typeof info === 'object' && info !== null ? info.port : port;
        resolve(new TcpTransport(server, address, bound, options, deliver));
      });
    });
  }

  async send(data: Buffer, destination: Endpoint, flowId?: string): Promise<void> {
    const flow = flowId === undefined ? undefined : this.connections.get(flowId);
    const reused = flow?.open ? flow : this.findOpen(destination);
    if (reused) {
      try {
        return await reused.write(data);
      } catch (error) {
        // The peer may have closed the flow between our check and the write; one fresh connection is worth a try.
        if (!(error instanceof TransportError) || error.code !== 'ECLOSED') throw error;
      }
    }
    const connection = await this.connectOnce(destination);
    return connection.write(data);
  }

  async close(): Promise<void> {
    const closing = [...this.connections.values()].map((connection) => connection.close());
    await Promise.all(closing);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private findOpen(destination: Endpoint): TcpConnection | undefined {
    for (const connection of this.connections.values()) {
      if (connection.open && connection.remote.address === destination.address && connection.remote.port === destination.port) return connection;
    }
    return undefined;
  }

  /** Concurrent sends to one destination share a single connection attempt. */
  private connectOnce(destination: Endpoint): Promise<TcpConnection> {
    const key = `${destination.address}:${destination.port}`;
    const pending = this.connecting.get(key);
    if (pending) return pending;
    const attempt = this.connect(destination).finally(() => this.connecting.delete(key));
    this.connecting.set(key, attempt);
    return attempt;
  }

  private connect(destination: Endpoint): Promise<TcpConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: destination.address, port: destination.port, ...(needsSourceBind(this.address, destination.address) ? { localAddress: this.address } : {}) });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TransportError('ETIMEDOUT', destination, { detail: `after ${this.options.connectTimeout} ms` }));
      }, this.options.connectTimeout);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(TransportError.fromSystemError(error, destination));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(this.adopt(socket, destination));
      });
    });
  }

  private adopt(socket: Socket, destination?: Endpoint): TcpConnection {
    const remote: Endpoint = destination ?? {
      protocol: 'TCP',
      address: (socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      port: socket.remotePort ?? 0,
    };
    const id = `TCP#${this.nextId++} ${remote.address}:${remote.port}`;
    const connection = new TcpConnection(socket, id, remote, this.options, {
      message: (data, from) => this.deliver({ data, source: from.remote, local: { protocol: 'TCP', address: this.address, port: this.port }, flowId: from.id }),
      closed: (closed) => {
        this.connections.delete(closed.id);
        this.options.onFlowClosed(closed.id);
      },
      warning: this.options.onWarning,
    });
    this.connections.set(id, connection);
    return connection;
  }
}
