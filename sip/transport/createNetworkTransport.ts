import { isIP, isIPv6 } from 'node:net';
import { resolveHost } from './resolveHost.js';
import { DEFAULT_MAX_BUFFER_SIZE } from './StreamFramer.js';
import { TcpTransport, type TcpTransportOptions } from './TcpTransport.js';
import { TransportError } from './TransportError.js';
import { UdpTransport } from './UdpTransport.js';
import type { Endpoint, InboundPacket, SipTransport, TransportProtocol } from './SipTransport.js';

export interface NetworkTransportOptions {
  /** Local address to bind. Default `127.0.0.1`. */
  address?: string;
  /** Port for both protocols. Default 0: one ephemeral port number shared by UDP and TCP. */
  port?: number;
  /** Overrides `port` for UDP only. */
  udpPort?: number;
  /** Overrides `port` for TCP only. */
  tcpPort?: number;
  /** Default both. */
  protocols?: TransportProtocol[];
  /** How long a TCP connect may take before the send fails with ETIMEDOUT. Default 5000 ms. */
  connectTimeout?: number;
  /** A TCP connection with no traffic either way for this long is closed. Default 120000 ms; 0 keeps them open. */
  idleTimeout?: number;
  /** Bytes a TCP connection may buffer for one unfinished message before it is closed. Default 256 KiB. */
  maxBufferSize?: number;
  /** Problems worth a log line that are not a failed send (e.g. a peer's unframeable stream). */
  onWarning?: (message: string) => void;
  /** A TCP connection closed (either side, idle timeout, framing error); its flow id is no longer usable. */
  onFlowClosed?: (flowId: string) => void;
}

/** When UDP cannot take the ephemeral port TCP got, try again with a fresh one. */
const SHARED_PORT_ATTEMPTS = 8;

/**
 * Opens a UDP socket and a TCP server, by default on the same port number as SIP expects.
 *
 * @example
 * const transport = await createNetworkTransport({ address: '127.0.0.1', port: 0 });
 * transport.onPacket((packet) => console.log(packet.source, packet.data.toString()));
 * await transport.send(Buffer.from(text), { protocol: 'UDP', address: '127.0.0.1', port: 5060 });
 */
export async function createNetworkTransport(options: NetworkTransportOptions = {}): Promise<SipTransport> {
  const address = options.address ?? '127.0.0.1';
  const protocols = new Set(options.protocols ?? ['UDP', 'TCP']);
  const tcpOptions: TcpTransportOptions = {
    connectTimeout: options.connectTimeout ?? 5000,
    idleTimeout: options.idleTimeout ?? 120_000,
    maxBufferSize: options.maxBufferSize ?? DEFAULT_MAX_BUFFER_SIZE,
    onWarning: options.onWarning ?? (() => undefined),
    onFlowClosed: options.onFlowClosed ?? (() => undefined),
  };
  const transport = new NetworkTransport(address);
  const deliver = (packet: InboundPacket): void => transport.deliver(packet);
  const udpPort = options.udpPort ?? options.port ?? 0;
  const tcpPort = options.tcpPort ?? options.port ?? 0;

  if (protocols.has('UDP') && protocols.has('TCP') && udpPort === 0 && tcpPort === 0) {
    const [tcp, udp] = await bindSharedEphemeralPort(address, tcpOptions, deliver);
    transport.attach(udp, tcp);
  } else {
    const tcp = protocols.has('TCP') ? await TcpTransport.listen(address, tcpPort, tcpOptions, deliver).catch(bindError('TCP', address, tcpPort)) : undefined;
    const udp = protocols.has('UDP')
      ? await UdpTransport.bind(address, udpPort, deliver).catch(async (error: unknown) => {
          await tcp?.close();
          return bindError('UDP', address, udpPort)(error);
        })
      : undefined;
    transport.attach(udp, tcp);
  }
  return transport;
}

async function bindSharedEphemeralPort(
  address: string,
  tcpOptions: TcpTransportOptions,
  deliver: (packet: InboundPacket) => void,
): Promise<[TcpTransport, UdpTransport]> {
  let lastError: unknown;
  for (let attempt = 0; attempt < SHARED_PORT_ATTEMPTS; attempt++) {
    // TCP first: the kernel picks a free TCP port; UDP then asks for the same number, which is usually free too.
    const tcp = await TcpTransport.listen(address, 0, tcpOptions, deliver).catch(bindError('TCP', address, 0));
    try {
      return [tcp, await UdpTransport.bind(address, tcp.port, deliver)];
    } catch (error) {
      lastError = error;
      await tcp.close();
    }
  }
  return bindError('UDP', address, 0)(lastError);
}

function bindError(protocol: TransportProtocol, address: string, port: number): (error: unknown) => never {
  return (error) => {
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
    const hint = code === 'EADDRINUSE' ? '; another process holds that port: choose another or use 0' : '';
    // `code` as Node's own errors carry it, so a caller can tell a taken port from other failures.
    throw Object.assign(new Error(`SIP transport: cannot bind ${protocol} ${address}:${port} (${code})${hint}`, { cause: error }), { code });
  };
}

class NetworkTransport implements SipTransport {
  private readonly handlers = new Set<(packet: InboundPacket) => void>();
  private udp: UdpTransport | undefined;
  private tcp: TcpTransport | undefined;
  private closed = false;
  private readonly family: 4 | 6;

  constructor(readonly address: string) {
    this.family = isIPv6(address) ? 6 : 4;
  }

  get udpPort(): number | undefined {
    return this.udp?.port;
  }

  get tcpPort(): number | undefined {
    return this.tcp?.port;
  }

  attach(udp: UdpTransport | undefined, tcp: TcpTransport | undefined): void {
    this.udp = udp;
    this.tcp = tcp;
  }

  deliver(packet: InboundPacket): void {
    for (const handler of [...this.handlers]) handler(packet);
  }

  async send(data: Buffer, destination: Endpoint, flowId?: string): Promise<void> {
    const protocol = destination.protocol === 'UDP' ? this.udp : this.tcp;
    if (this.closed || protocol === undefined) throw new TransportError('ENOTSUP', destination, { detail: this.closed ? 'transport closed' : undefined });
    // An IP address needs no lookup, nor a wait for one: a response's Via, a phone's Contact and most
    // servers are one. A host name (a connection's `server` may be one) is looked up every time.
    const resolved = isIP(destination.address) !== 0 ? destination : await resolveHost(destination, this.family);
    if (resolved instanceof TransportError) throw resolved;
    return protocol instanceof UdpTransport ? protocol.send(data, resolved) : protocol.send(data, resolved, flowId);
  }

  onPacket(handler: (packet: InboundPacket) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    await Promise.all([this.udp?.close(), this.tcp?.close()]);
  }
}
