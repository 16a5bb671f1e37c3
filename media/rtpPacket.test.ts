import { describe, expect, it } from 'vitest';
import { decodeRtpPacket, encodeRtpPacket, writeRtpPacket, type RtpPacket } from './rtpPacket.js';

function decoded(bytes: Uint8Array): RtpPacket {
  const result = decodeRtpPacket(bytes);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('RTP packet codec (RFC 3550 §5.1)', () => {
  it('encodes the fixed header bit for bit', () => {
    const bytes = encodeRtpPacket({
      marker: true,
      payloadType: 8,
      sequenceNumber: 0x1234,
      timestamp: 0xdeadbeef,
      ssrc: 0x01020304,
      payload: new Uint8Array([0xaa, 0xbb]),
    });
    expect([...bytes]).toEqual([0x80, 0x88, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 0xaa, 0xbb]);
  });

  it('round-trips CSRCs, an extension and padding', () => {
    const init = {
      marker: false,
      payloadType: 101,
      sequenceNumber: 65535,
      timestamp: 4294967295,
      ssrc: 0xffffffff,
      csrc: [1, 0xfffffffe],
      extension: { profile: 0xbede, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
      paddingLength: 3,
      payload: new Uint8Array([9, 8, 7]),
    };
    const bytes = encodeRtpPacket(init);
    expect(bytes[0]).toBe(0x80 | 0x20 | 0x10 | 2);
    expect(bytes.length).toBe(12 + 8 + 12 + 3 + 3);
    expect(decoded(bytes)).toEqual(init);
  });

  it("writes a plain packet into a buffer of the sender's, byte for byte as encodeRtpPacket does", () => {
    const payload = Uint8Array.from({ length: 160 }, (_, i) => i);
    const target = Buffer.alloc(176, 0xee);
    const written = writeRtpPacket(target, true, 8, 0xfffe, 0xfffffff0, 0x12345678, payload)!;
    expect(Buffer.from(written).equals(Buffer.from(encodeRtpPacket({ marker: true, payloadType: 8, sequenceNumber: 0xfffe, timestamp: 0xfffffff0, ssrc: 0x12345678, payload })))).toBe(true);
    expect(written.buffer).toBe(target.buffer);
    expect(writeRtpPacket(Buffer.alloc(20), false, 0, 1, 1, 1, payload)).toBeUndefined();
    expect(() => writeRtpPacket(target, false, 128, 1, 1, 1, payload)).toThrow(RangeError);
  });

  it('decodes a packet that sits inside a larger buffer', () => {
    const packet = encodeRtpPacket({ payloadType: 0, sequenceNumber: 7, timestamp: 160, ssrc: 42, payload: new Uint8Array([1]) });
    const big = new Uint8Array(100);
    big.set(packet, 50);
    const view = big.subarray(50, 50 + packet.length);
    expect(decoded(view)).toMatchObject({ sequenceNumber: 7, timestamp: 160, ssrc: 42, payload: new Uint8Array([1]) });
  });

  it.each([
    ['a datagram shorter than the header', new Uint8Array(11), 'rtp-too-short'],
    ['version 1', Uint8Array.from([0x40, 0, ...new Array<number>(10).fill(0)]), 'rtp-bad-version'],
    ['a STUN message (version 0)', Uint8Array.from([0x00, 0x01, ...new Array<number>(18).fill(0)]), 'rtp-bad-version'],
    ['a CSRC count beyond the end', Uint8Array.from([0x83, 0, ...new Array<number>(14).fill(0)]), 'rtp-bad-csrc'],
    ['an extension header cut short', Uint8Array.from([0x90, 0, ...new Array<number>(12).fill(0)]), 'rtp-bad-extension'],
    ['an extension longer than the packet', Uint8Array.from([0x90, 0, ...new Array<number>(10).fill(0), 0, 0, 0, 9]), 'rtp-bad-extension'],
    ['padding count 0', Uint8Array.from([0xa0, 0, ...new Array<number>(10).fill(0), 5, 0]), 'rtp-bad-padding'],
    ['padding longer than the payload', Uint8Array.from([0xa0, 0, ...new Array<number>(10).fill(0), 5, 9]), 'rtp-bad-padding'],
  ])('rejects %s as a value', (_name, bytes, code) => {
    const result = decodeRtpPacket(bytes);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message).toMatch(/^omnisip media: /);
    }
  });

  it('gives every packet bytes of its own, with zeroed padding, though they come from a shared pool', () => {
    const first = encodeRtpPacket({ payloadType: 0, sequenceNumber: 1, timestamp: 160, ssrc: 7, payload: new Uint8Array(160).fill(0xaa) });
    const snapshot = [...first];
    // Leave non-zero garbage in the pool, then ask for padding right after it.
    encodeRtpPacket({ payloadType: 0, sequenceNumber: 2, timestamp: 320, ssrc: 7, payload: new Uint8Array(300).fill(0xff) });
    const padded = encodeRtpPacket({ payloadType: 0, sequenceNumber: 3, timestamp: 480, ssrc: 7, payload: Uint8Array.of(1, 2), paddingLength: 6 });
    expect([...first]).toEqual(snapshot);
    expect([...padded.subarray(14)]).toEqual([0, 0, 0, 0, 0, 6]);
    expect(padded).toBeInstanceOf(Uint8Array);
    expect(padded.byteLength).toBe(20);
  });

  it('throws on out-of-range fields, which are programmer errors', () => {
    const base = { sequenceNumber: 0, timestamp: 0, ssrc: 0, payload: new Uint8Array() };
    expect(() => encodeRtpPacket({ ...base, payloadType: 128 })).toThrow(RangeError);
    expect(() => encodeRtpPacket({ ...base, payloadType: 0, sequenceNumber: 65536 })).toThrow(RangeError);
    expect(() => encodeRtpPacket({ ...base, payloadType: 0, csrc: new Array<number>(16).fill(1) })).toThrow(RangeError);
  });
});
