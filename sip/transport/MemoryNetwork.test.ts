import { describe, expect, it, vi } from 'vitest';
import { createMemoryNetwork } from './MemoryNetwork.js';
import { TransportError } from './TransportError.js';
import type { Endpoint, InboundPacket, SipTransport } from './SipTransport.js';

function collect(transport: SipTransport): InboundPacket[] {
  const packets: InboundPacket[] = [];
  transport.onPacket((packet) => packets.push(packet));
  return packets;
}

const udp = (address: string, port: number): Endpoint => ({ protocol: 'UDP', address, port });
const tcp = (address: string, port: number): Endpoint => ({ protocol: 'TCP', address, port });

async function settle(): Promise<void> {
  // Deliveries run on microtasks; a macrotask turn lets every queued one run.
  await new Promise((resolve) => setImmediate(resolve));
}

describe('MemoryNetwork', () => {
  it('delivers asynchronously, never before send returns, in send order', async () => {
    const network = createMemoryNetwork();
    const a = network.createTransport('127.0.0.1', 5060);
    const b = network.createTransport('127.0.0.2', 5060);
    const packets = collect(b);
    const sending = Promise.all(['1', '2', '3'].map((n) => a.send(Buffer.from(n), udp('127.0.0.2', 5060))));
    expect(packets).toEqual([]);
    await sending;
    await settle();
    expect(packets.map((p) => p.data.toString())).toEqual(['1', '2', '3']);
    expect(packets[0]?.source).toEqual(udp('127.0.0.1', 5060));
    expect(packets[0]?.local).toEqual(udp('127.0.0.2', 5060));
  });

  it('loses about the configured share of UDP datagrams, identically for the same seed', async () => {
    async function run(seed: number): Promise<string[]> {
      const network = createMemoryNetwork({ seed });
      const a = network.createTransport('127.0.0.1', 5060);
      const b = network.createTransport('127.0.0.2', 5060);
      const packets = collect(b);
      network.setDropRate(0.2);
      for (let i = 0; i < 1000; i++) await a.send(Buffer.from(String(i)), udp('127.0.0.2', 5060));
      await settle();
      expect(network.stats.dropped + network.stats.delivered).toBe(1000);
      return packets.map((p) => p.data.toString());
    }
    const first = await run(42);
    expect(first.length).toBeGreaterThan(750);
    expect(first.length).toBeLessThan(850);
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
  });

  it('never loses TCP to the drop rate, but does when told with dropNext or dropWhen', async () => {
    const network = createMemoryNetwork({ seed: 3 });
    const a = network.createTransport('127.0.0.1', 5060);
    const b = network.createTransport('127.0.0.2', 5060);
    const packets = collect(b);
    network.setDropRate(1);
    for (let i = 0; i < 20; i++) await a.send(Buffer.from(`t${i}`), tcp('127.0.0.2', 5060));
    await settle();
    expect(packets).toHaveLength(20);

    network.setDropRate(0);
    network.dropNext(2);
    network.dropWhen((data, from, to) => data.toString() === 'drop me' && from.address === '127.0.0.1' && to.port === 5060);
    for (const text of ['x1', 'x2', 'drop me', 'kept']) await a.send(Buffer.from(text), tcp('127.0.0.2', 5060));
    await settle();
    expect(packets.slice(20).map((p) => p.data.toString())).toEqual(['kept']);
  });

  it('delays delivery under fake timers', async () => {
    vi.useFakeTimers();
    try {
      const network = createMemoryNetwork();
      const a = network.createTransport('127.0.0.1', 5060);
      const b = network.createTransport('127.0.0.2', 5060);
      const packets = collect(b);
      network.setDelay(100);
      await a.send(Buffer.from('late'), udp('127.0.0.2', 5060));
      await vi.advanceTimersByTimeAsync(99);
      expect(packets).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(packets.map((p) => p.data.toString())).toEqual(['late']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses TCP to an address nobody listens on, and loses UDP there silently', async () => {
    const network = createMemoryNetwork();
    const a = network.createTransport('127.0.0.1', 5060);
    const refused = await a.send(Buffer.from('x'), tcp('127.0.0.9', 5060)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TransportError);
    expect((refused as TransportError).code).toBe('ECONNREFUSED');
    expect((refused as TransportError).message).toContain('TCP 127.0.0.9:5060');
    await expect(a.send(Buffer.from('x'), udp('127.0.0.9', 5060))).resolves.toBeUndefined();
  });

  it('simulates TCP flows: one connection reused, seen from an ephemeral port, replies go back on it', async () => {
    const network = createMemoryNetwork();
    const phone = network.createTransport('127.0.0.1', 5070);
    const pbx = network.createTransport('127.0.0.2', 5060);
    const atPbx = collect(pbx);
    const atPhone = collect(phone);
    await phone.send(Buffer.from('REGISTER 1'), tcp('127.0.0.2', 5060));
    await phone.send(Buffer.from('REGISTER 2'), tcp('127.0.0.2', 5060));
    await settle();
    const [first, second] = atPbx;
    expect(first?.flowId).toBe(second?.flowId);
    expect(first?.source.port).not.toBe(5070);

    const source = first?.source ?? tcp('0.0.0.0', 0);
    await pbx.send(Buffer.from('200 OK'), tcp('127.0.0.1', 1), first?.flowId);
    // Any open connection to the destination is reused too, even without the flow id.
    await pbx.send(Buffer.from('NOTIFY'), source);
    await settle();
    expect(atPhone.map((p) => [p.data.toString(), p.flowId, p.source.port])).toEqual([
      ['200 OK', first?.flowId, 5060],
      ['NOTIFY', first?.flowId, 5060],
    ]);

    // Once the connection is gone, nobody listens on the ephemeral port.
    network.closeConnections();
    expect(await pbx.send(Buffer.from('late'), source, first?.flowId).catch((error: TransportError) => error.code)).toBe('ECONNREFUSED');
  });

  it('partitions two addresses until healed, and closes connections on request', async () => {
    const network = createMemoryNetwork();
    const a = network.createTransport('127.0.0.1', 5060);
    const b = network.createTransport('127.0.0.2', 5060);
    const packets = collect(b);
    network.partition('127.0.0.2', '127.0.0.1');
    await a.send(Buffer.from('lost'), udp('127.0.0.2', 5060));
    expect(await a.send(Buffer.from('x'), tcp('127.0.0.2', 5060)).catch((error: TransportError) => error.code)).toBe('ETIMEDOUT');
    network.heal();
    await a.send(Buffer.from('found'), tcp('127.0.0.2', 5060));
    await settle();
    const flow = packets[0]?.flowId;
    network.closeConnections('127.0.0.1');
    await a.send(Buffer.from('again'), tcp('127.0.0.2', 5060));
    await settle();
    expect(packets.map((p) => p.data.toString())).toEqual(['found', 'again']);
    expect(packets[1]?.flowId).not.toBe(flow);
  });

  it('frees the address on close, and a closed transport cannot send', async () => {
    const network = createMemoryNetwork();
    const a = network.createTransport('127.0.0.1', 5060);
    expect(() => network.createTransport('127.0.0.1', 5060)).toThrow(/already in use/);
    await a.close();
    expect(await a.send(Buffer.from('x'), udp('127.0.0.2', 5060)).catch((error: TransportError) => error.code)).toBe('ENOTSUP');
    const again = network.createTransport('127.0.0.1', 5060);
    expect(again.udpPort).toBe(5060);
    expect(network.createTransport('127.0.0.1', 0).udpPort).toBeGreaterThanOrEqual(49152);
  });
});
