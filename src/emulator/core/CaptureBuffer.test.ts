import { describe, expect, it } from 'vitest';
import { CaptureBuffer } from './CaptureBuffer.js';

describe('CaptureBuffer', () => {
  it('gives back every packet as it was pushed, across growth of both the bytes and the index', () => {
    const buffer = new CaptureBuffer(10_000);
    const sent = Array.from({ length: 500 }, (_, i) => ({
      at: 1_700_000_000_000 + i * 20,
      protocol: (i % 7 === 0 ? 'TCP' : 'UDP') as 'TCP' | 'UDP',
      source: { address: '127.0.0.1', port: 4000 + (i % 3) },
      destination: { address: '127.0.0.1', port: 5000 },
      payload: Uint8Array.from({ length: 100 + (i % 200) }, (_, j) => (i + j) & 0xff),
    }));
    for (const packet of sent) expect(buffer.push(packet)).toBe(true);
    const got = buffer.packets();
    expect(got).toHaveLength(500);
    got.forEach((packet, i) => {
      expect(packet.at).toBe(sent[i]!.at);
      expect(packet.protocol).toBe(sent[i]!.protocol);
      expect(packet.source).toEqual(sent[i]!.source);
      expect(packet.destination).toEqual(sent[i]!.destination);
      expect(Buffer.from(packet.payload).equals(Buffer.from(sent[i]!.payload))).toBe(true);
    });
  });

  it('copies the payload, so a reused socket buffer cannot change what was captured', () => {
    const buffer = new CaptureBuffer(10);
    const payload = new Uint8Array([1, 2, 3]);
    buffer.push({ at: 1, protocol: 'UDP', source: { address: '127.0.0.1', port: 1 }, destination: { address: '127.0.0.1', port: 2 }, payload });
    payload[0] = 9;
    expect([...buffer.packets()[0]!.payload]).toEqual([1, 2, 3]);
  });

  it('stops at its limit', () => {
    const buffer = new CaptureBuffer(2);
    const packet = { at: 1, protocol: 'UDP' as const, source: { address: '127.0.0.1', port: 1 }, destination: { address: '127.0.0.1', port: 2 }, payload: new Uint8Array(1) };
    expect([buffer.push(packet), buffer.push(packet), buffer.push(packet)]).toEqual([true, true, false]);
    expect(buffer.size).toBe(2);
  });
});
