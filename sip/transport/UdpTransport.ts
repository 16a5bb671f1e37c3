import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import { TransportError } from './TransportError.js';
import type { Endpoint, InboundPacket } from './SipTransport.js';

/**
 * dgram's lookup, answered at once for an IP address. The default (dns.lookup) answers a literal on
 * the next tick: a deferred callback for every datagram sent, a few per cent of a busy registrar.
 * A name still resolves through dns.lookup.
 */
function literalLookup(hostname: string, options: unknown, callback: (error: Error | null, address: string, family: number) => void): void {
  const family = isIP(hostname);
  if (family !== 0) return callback(null, hostname, family);
  dnsLookup(hostname, options as never, callback as never);
}

/**
 * The receive buffer a SIP socket asks for. Linux's default (208 KiB, some 300 datagrams) overflowed
 * while the event loop was busy: 5,000 connections registering at once lost thousands of REGISTERs
 * (the kernel's UDP RcvbufErrors), each then waiting for its retransmission (T1, 500 ms). The
 * kernel caps the request at net.core.rmem_max; it is a limit, not memory taken up front.
 */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** One UDP socket: every datagram is one SIP message (RFC 3261 §18.3). */
export class UdpTransport {
  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    readonly port: number,
  ) {}

  /** Binds the socket; rejects with the system error (e.g. EADDRINUSE) so the caller can retry another port. */
  static bind(address: string, port: number, deliver: (packet: InboundPacket) => void): Promise<UdpTransport> {
    const socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', lookup: literalLookup, recvBufferSize: RECEIVE_BUFFER_BYTES });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => {
        socket.off('error', reject);
        const transport = new UdpTransport(socket, address, socket.address().port);
        // After binding, socket errors (e.g. ICMP unreachable on some systems) must not crash the process.
        socket.on('error', () => undefined);
        socket.on('message', (data, remote) => transport.receive(data, remote.address, remote.port, deliver));
        resolve(transport);
      });
    });
  }

  send(data: Buffer, destination: Endpoint): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        this.socket.send(data, destination.port, destination.address, (error) => {
          if (error) reject(TransportError.fromSystemError(error, destination));
          else resolve();
        });
      } catch (error) {
        // dgram throws synchronously once the socket is closed.
        reject(TransportError.fromSystemError(error, destination));
      }
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  private receive(data: Buffer, address: string, port: number, deliver: (packet: InboundPacket) => void): void {
    // Keep-alive datagrams (CRLF, RFC 5626 §4.4.1 uses STUN but some phones send CRLFs) carry no message.
    if (data.every((byte) => byte === 0x0d || byte === 0x0a || byte === 0x20 || byte === 0x00)) return;
    deliver({
      data,
      source: { protocol: 'UDP', address, port },
      local: { protocol: 'UDP', address: this.address, port: this.port },
      flowId: `UDP ${address}:${port}`,
    });
  }
}
