import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNetworkTransport, type NetworkTransportOptions } from './createNetworkTransport.js';
import { needsSourceBind } from './TcpTransport.js';
import { TransportError } from './TransportError.js';
import type { InboundPacket, SipTransport } from './SipTransport.js';

const LOOPBACK = '127.0.0.1';

function sipMessage(callId: string, body = ''): string {
  return `OPTIONS sip:probe@${LOOPBACK} SIP/2.0\r\nVia: SIP/2.0/TCP ${LOOPBACK}:5060;branch=z9hG4bK${callId}\r\nCall-ID: ${callId}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const opened: Array<SipTransport | Socket> = [];

async function open(options: NetworkTransportOptions = {}): Promise<SipTransport> {
  const transport = await createNetworkTransport({ address: LOOPBACK, ...options });
  opened.push(transport);
  return transport;
}

function rawClient(port: number): Promise<Socket> {
  const socket = connect({ host: LOOPBACK, port });
  opened.push(socket);
  return once(socket, 'connect').then(() => socket);
}

/** Resolves with the next `count` packets the transport receives. */
function nextPackets(transport: SipTransport, count: number): Promise<InboundPacket[]> {
  return new Promise((resolve) => {
    const packets: InboundPacket[] = [];
    const stop = transport.onPacket((packet) => {
      packets.push(packet);
      if (packets.length === count) {
        stop();
        resolve(packets);
      }
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, LOOPBACK);
  await once(server, 'listening');
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

afterEach(async () => {
  for (const item of opened.splice(0)) {
    if ('destroy' in item) item.destroy();
    else await item.close();
  }
});

describe('createNetworkTransport', () => {
  it('binds UDP and TCP on one ephemeral port number and receives on both', async () => {
    const server = await open();
    const client = await open();
    expect(server.udpPort).toBeGreaterThan(0);
    expect(server.udpPort).toBe(server.tcpPort);

    const arriving = nextPackets(server, 2);
    await client.send(Buffer.from(sipMessage('udp-1')), { protocol: 'UDP', address: LOOPBACK, port: server.udpPort ?? 0 });
    await client.send(Buffer.from(sipMessage('tcp-1')), { protocol: 'TCP', address: LOOPBACK, port: server.tcpPort ?? 0 });
    const packets = await arriving;
    const byProtocol = Object.fromEntries(packets.map((p) => [p.source.protocol, p]));
    expect(byProtocol.UDP?.data.toString()).toBe(sipMessage('udp-1'));
    expect(byProtocol.UDP?.source.port).toBe(client.udpPort);
    expect(byProtocol.TCP?.data.toString()).toBe(sipMessage('tcp-1'));
    expect(byProtocol.TCP?.local).toEqual({ protocol: 'TCP', address: LOOPBACK, port: server.tcpPort });
  });

  it('frames two TCP messages written in one chunk, and one message split across chunks', async () => {
    const server = await open();
    const socket = await rawClient(server.tcpPort ?? 0);
    const firstTwo = nextPackets(server, 2);
    socket.write(sipMessage('a', 'body-a') + sipMessage('b'));
    expect((await firstTwo).map((p) => p.data.toString())).toEqual([sipMessage('a', 'body-a'), sipMessage('b')]);

    const split = nextPackets(server, 1);
    const text = sipMessage('c', 'v=0\r\n');
    socket.write(text.slice(0, 20));
    socket.write(text.slice(20, text.length - 2));
    socket.write(text.slice(text.length - 2));
    const [packet] = await split;
    expect(packet?.data.toString()).toBe(text);
  });

  it('reuses one connection for sends to the same destination, and the peer replies on that flow', async () => {
    const server = await open();
    const client = await open();
    const destination = { protocol: 'TCP' as const, address: LOOPBACK, port: server.tcpPort ?? 0 };

    const requests = nextPackets(server, 2);
    await client.send(Buffer.from(sipMessage('r1')), destination);
    await client.send(Buffer.from(sipMessage('r2')), destination);
    const [first, second] = await requests;
    expect(first?.flowId).toBe(second?.flowId);
    expect(first?.source.port).not.toBe(client.tcpPort); // the client's ephemeral port, not its listening port

    const reply = nextPackets(client, 1);
    // The Via says port 1, which nobody listens on: only the open flow can carry this reply.
    await server.send(Buffer.from(sipMessage('reply')), { protocol: 'TCP', address: LOOPBACK, port: 1 }, first?.flowId);
    const [answer] = await reply;
    expect(answer?.data.toString()).toBe(sipMessage('reply'));
    expect(answer?.source.port).toBe(server.tcpPort);
  });

  it('connects from its own address: 127.0.0.2 binds it, 127.0.0.1 leaves the choice (the same) to the kernel', async () => {
    const server = await open();
    const destination = { protocol: 'TCP' as const, address: LOOPBACK, port: server.tcpPort ?? 0 };
    for (const address of ['127.0.0.2', LOOPBACK]) {
      const client = await open({ address });
      const request = nextPackets(server, 1);
      await client.send(Buffer.from(sipMessage(`from-${address}`)), destination);
      const [packet] = await request;
      expect(packet?.source.address).toBe(address);
    }
  });

  it('binds an outgoing connection only where the kernel would pick another source', () => {
    // The kernel's own choice: from 127.0.0.1 to anywhere in 127.0.0.0/8, from ::1 to ::1.
    expect(needsSourceBind('127.0.0.1', '127.0.0.1')).toBe(false);
    expect(needsSourceBind('127.0.0.1', '127.0.0.5')).toBe(false);
    expect(needsSourceBind('::1', '::1')).toBe(false);
    // A wildcard address has nothing to bind.
    expect(needsSourceBind('0.0.0.0', '127.0.0.1')).toBe(false);
    expect(needsSourceBind('::', '::1')).toBe(false);
    // Anything else would leave from the route's address, not the transport's.
    expect(needsSourceBind('127.0.0.2', '127.0.0.1')).toBe(true);
    expect(needsSourceBind('127.0.0.1', '192.0.2.10')).toBe(true);
    expect(needsSourceBind('127.0.0.1', 'localhost')).toBe(true);
    expect(needsSourceBind('::1', '127.0.0.1')).toBe(true);
  });

  it('answers a raw client on its own connection', async () => {
    const server = await open();
    const socket = await rawClient(server.tcpPort ?? 0);
    const request = nextPackets(server, 1);
    socket.write(sipMessage('q'));
    const [packet] = await request;
    const received = once(socket, 'data');
    await server.send(Buffer.from(sipMessage('answer')), { protocol: 'TCP', address: LOOPBACK, port: 5060 }, packet?.flowId);
    expect(String((await received)[0])).toBe(sipMessage('answer'));
  });

  it('rejects with ECONNREFUSED, naming protocol and destination, when nobody listens', async () => {
    const client = await open();
    const port = await freePort();
    const failure = await client.send(Buffer.from(sipMessage('x')), { protocol: 'TCP', address: LOOPBACK, port }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransportError);
    expect((failure as TransportError).code).toBe('ECONNREFUSED');
    expect((failure as TransportError).message).toContain(`TCP ${LOOPBACK}:${port}`);
  });

  it('rejects with ENOTFOUND for a host name that does not resolve', async () => {
    const client = await open();
    const failure = await client.send(Buffer.from(sipMessage('x')), { protocol: 'UDP', address: 'no-such-host.invalid', port: 5060 }).catch((error: unknown) => error);
    expect((failure as TransportError).code).toBe('ENOTFOUND');
    expect((failure as TransportError).message).toContain('no-such-host.invalid');
  });

  it('resolves localhost with dns.lookup', async () => {
    const server = await open();
    const client = await open();
    const arriving = nextPackets(server, 1);
    await client.send(Buffer.from(sipMessage('named')), { protocol: 'UDP', address: 'localhost', port: server.udpPort ?? 0 });
    expect((await arriving)[0]?.data.toString()).toBe(sipMessage('named'));
  });

  it('rejects with EMSGSIZE for a datagram larger than UDP allows', async () => {
    const client = await open();
    const failure = await client.send(Buffer.alloc(70_000, 65), { protocol: 'UDP', address: LOOPBACK, port: 9 }).catch((error: unknown) => error);
    expect((failure as TransportError).code).toBe('EMSGSIZE');
  });

  it('closes a connection that sends a message without Content-Length, and warns', async () => {
    const warnings: string[] = [];
    const server = await open({ onWarning: (message) => warnings.push(message) });
    const socket = await rawClient(server.tcpPort ?? 0);
    socket.write('OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: z\r\n\r\n');
    await once(socket, 'close');
    expect(warnings.join('\n')).toMatch(/missing Content-Length/);
  });

  it('closes a connection whose unfinished message outgrows the buffer limit', async () => {
    const server = await open({ maxBufferSize: 1024 });
    const socket = await rawClient(server.tcpPort ?? 0);
    socket.write(`OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nX-Filler: ${'x'.repeat(2048)}`);
    await once(socket, 'close');
  });

  it('closes idle connections after the idle timeout', async () => {
    const server = await open({ idleTimeout: 50 });
    const socket = await rawClient(server.tcpPort ?? 0);
    const arriving = nextPackets(server, 1);
    socket.write(sipMessage('once'));
    await arriving;
    await once(socket, 'close');
  });

  it('survives a peer closing mid-message and keeps serving others', async () => {
    const server = await open();
    const quitter = await rawClient(server.tcpPort ?? 0);
    quitter.write(sipMessage('half').slice(0, 30));
    quitter.destroy();
    await once(quitter, 'close');

    const socket = await rawClient(server.tcpPort ?? 0);
    const arriving = nextPackets(server, 1);
    socket.write(sipMessage('whole'));
    expect((await arriving)[0]?.data.toString()).toBe(sipMessage('whole'));
  });

  it('opens a new connection when the flow to reply on has closed', async () => {
    let flowClosed: (flowId: string) => void = () => undefined;
    const server = await open({ onFlowClosed: (flowId) => flowClosed(flowId) });
    const client = await open();
    const socket = await rawClient(server.tcpPort ?? 0);
    const request = nextPackets(server, 1);
    socket.write(sipMessage('gone'));
    const [packet] = await request;
    const closedOnServer = new Promise<string>((resolve) => (flowClosed = resolve));
    socket.destroy();
    expect(await closedOnServer).toBe(packet?.flowId);

    const reply = nextPackets(client, 1);
    // The request's Via named the client's listening port: RFC 3261 §18.2.2 falls back to it.
    await server.send(Buffer.from(sipMessage('fallback')), { protocol: 'TCP', address: LOOPBACK, port: client.tcpPort ?? 0 }, packet?.flowId);
    expect((await reply)[0]?.data.toString()).toBe(sipMessage('fallback'));
  });

  it('fails sends after close with a readable error', async () => {
    const client = await createNetworkTransport({ address: LOOPBACK, protocols: ['UDP'] });
    expect(client.tcpPort).toBeUndefined();
    const tcp = await client.send(Buffer.from('x'), { protocol: 'TCP', address: LOOPBACK, port: 9 }).catch((error: unknown) => error);
    expect((tcp as TransportError).code).toBe('ENOTSUP');
    await client.close();
    const udp = await client.send(Buffer.from('x'), { protocol: 'UDP', address: LOOPBACK, port: 9 }).catch((error: unknown) => error);
    expect((udp as TransportError).code).toBe('ENOTSUP');
  });
});
