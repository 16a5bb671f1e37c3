import { describe, expect, it } from 'vitest';
import { CaptureBuffer, CaptureChunks, captureChunkBytes } from './CaptureBuffer.js';

describe('CaptureBuffer', () => {
  it('gives back every packet as it was pushed, across several chunks', () => {
    const buffer = new CaptureBuffer(10_000, new CaptureChunks());
    const sent = Array.from({ length: 1500 }, (_, i) => ({
      at: 1_700_000_000_000 + i * 20,
      protocol: (i % 7 === 0 ? 'TCP' : 'UDP') as 'TCP' | 'UDP',
      source: { address: '127.0.0.1', port: 4000 + (i % 3) },
      destination: { address: '127.0.0.1', port: 5000 },
      payload: Uint8Array.from({ length: 100 + (i % 200) }, (_, j) => (i + j) & 0xff),
    }));
    for (const packet of sent) expect(buffer.push(packet)).toBe(true);
    const got = buffer.packets();
    expect(got).toHaveLength(1500);
    got.forEach((packet, i) => {
      expect(packet.at).toBe(sent[i]!.at);
      expect(packet.protocol).toBe(sent[i]!.protocol);
      expect(packet.source).toEqual(sent[i]!.source);
      expect(packet.destination).toEqual(sent[i]!.destination);
      expect(Buffer.from(packet.payload).equals(Buffer.from(sent[i]!.payload))).toBe(true);
    });
  });

  it('copies the payload, so a reused socket buffer cannot change what was captured', () => {
    const buffer = new CaptureBuffer(10, new CaptureChunks());
    const payload = new Uint8Array([1, 2, 3]);
    buffer.push({ at: 1, protocol: 'UDP', source: { address: '127.0.0.1', port: 1 }, destination: { address: '127.0.0.1', port: 2 }, payload });
    payload[0] = 9;
    expect([...buffer.packets()[0]!.payload]).toEqual([1, 2, 3]);
  });

  it('names each endpoint right when the same objects recur among more of them than it remembers by identity', () => {
    const buffer = new CaptureBuffer(1000, new CaptureChunks());
    const ends = Array.from({ length: 7 }, (_, i) => ({ address: `10.0.0.${i}`, port: 6000 + i }));
    const order = Array.from({ length: 300 }, (_, i) => [ends[i % 7]!, ends[(i * 3 + 1) % 7]!] as const);
    for (const [source, destination] of order) buffer.add(1, 'UDP', source, destination, new Uint8Array([1]));
    // A copy with the same address and port is the same endpoint.
    buffer.add(2, 'UDP', { ...ends[5]! }, ends[0]!, new Uint8Array([2]));
    const got = buffer.packets();
    order.forEach(([source, destination], i) => expect([got[i]!.source, got[i]!.destination]).toEqual([source, destination]));
    expect([got[300]!.source, got[300]!.destination]).toEqual([ends[5], ends[0]]);
  });

  it('stops at its limit', () => {
    const buffer = new CaptureBuffer(2, new CaptureChunks());
    const packet = { at: 1, protocol: 'UDP' as const, source: { address: '127.0.0.1', port: 1 }, destination: { address: '127.0.0.1', port: 2 }, payload: new Uint8Array(1) };
    expect([buffer.push(packet), buffer.push(packet), buffer.push(packet)]).toEqual([true, true, false]);
    expect(buffer.size).toBe(2);
  });

  it('keeps a packet bigger than a chunk whole', () => {
    const buffer = new CaptureBuffer(10, new CaptureChunks());
    const endpoints = { source: { address: '127.0.0.1', port: 5060 }, destination: { address: '127.0.0.1', port: 5080 } };
    const big = Uint8Array.from({ length: captureChunkBytes + 10 }, (_, i) => i & 0xff);
    buffer.push({ at: 1, protocol: 'TCP', ...endpoints, payload: Uint8Array.of(1) });
    buffer.push({ at: 2, protocol: 'TCP', ...endpoints, payload: big });
    buffer.push({ at: 3, protocol: 'TCP', ...endpoints, payload: Uint8Array.of(3) });
    const got = buffer.packets();
    expect(got.map((p) => p.at)).toEqual([1, 2, 3]);
    expect(Buffer.from(got[1]!.payload).equals(Buffer.from(big))).toBe(true);
    expect([...got[2]!.payload]).toEqual([3]);
  });
});

describe('CaptureChunks', () => {
  const packet = (at: number, size: number) => ({
    at,
    protocol: 'UDP' as const,
    source: { address: '127.0.0.1', port: 1 },
    destination: { address: '127.0.0.1', port: 2 },
    payload: new Uint8Array(size).fill(at & 0xff),
  });

  it("gives a released call's chunks to the next call, so calls that come and go need no new memory", () => {
    const chunks = new CaptureChunks();
    const first = new CaptureBuffer(100_000, chunks);
    for (let i = 0; i < 2000; i++) first.push(packet(i, 172));
    const used = chunks.inUse;
    expect(used).toBeGreaterThan(2);
    const allocated = chunks.allocated;
    first.release();
    expect(first.size).toBe(0);
    expect(chunks.inUse).toBe(0);
    const second = new CaptureBuffer(100_000, chunks);
    for (let i = 0; i < 2000; i++) second.push(packet(i + 7, 172));
    expect(chunks.allocated).toBe(allocated);
    expect(chunks.inUse).toBe(used);
    expect(second.packets().every((p, i) => p.payload[0] === ((i + 7) & 0xff))).toBe(true);
  });

  it('keeps the captures of calls that share it apart', () => {
    const chunks = new CaptureChunks();
    const calls = [new CaptureBuffer(1000, chunks), new CaptureBuffer(1000, chunks)];
    for (let i = 0; i < 900; i++) calls[i % 2]!.push(packet(i, 160 + (i % 50)));
    calls.forEach((call, c) => {
      const got = call.packets();
      expect(got).toHaveLength(450);
      got.forEach((p, k) => {
        const i = 2 * k + c;
        expect(p.at).toBe(i);
        expect(p.payload.length).toBe(160 + (i % 50));
        expect(p.payload.every((byte) => byte === (i & 0xff))).toBe(true);
      });
    });
  });

  it('keeps every chunk in memory without a spill (core does no I/O; the world gives it a file)', () => {
    const chunks = new CaptureChunks();
    const buffer = new CaptureBuffer(100_000, chunks);
    const packet = { at: 1, protocol: 'UDP' as const, source: { address: '127.0.0.1', port: 1 }, destination: { address: '127.0.0.1', port: 2 }, payload: new Uint8Array(172) };
    for (let i = 0; i < 2_000; i++) buffer.push(packet);
    buffer.seal();
    expect(chunks.inMemory).toBe(6);
    expect(chunks.spillProblem).toBe('no spill: captures stay in memory');
    expect(buffer.packets()).toHaveLength(2_000);
  });
});

