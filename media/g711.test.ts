import alawmulaw from 'alawmulaw';
import { describe, expect, it } from 'vitest';
import { PCMA, PCMU, findG711Codec, type G711Codec } from './g711.js';

/** Every 16-bit value, so the bounds below hold for the whole range, not for a sample of it. */
function everySample(): Int16Array {
  const all = new Int16Array(65536);
  for (let i = 0; i < all.length; i++) all[i] = i - 32768;
  return all;
}

describe.each<[string, G711Codec, number]>([
  // G.711's 8-bit logarithmic code keeps 4 mantissa bits, so the step is 1/16 of the segment,
  // i.e. at most about 1/32 of the magnitude, plus the fixed step of the first segment.
  ['PCMU', PCMU, 4],
  ['PCMA', PCMA, 8],
])('%s', (_name, codec, smallStep) => {
  it('round-trips every 16-bit sample within the logarithmic quantisation bound', () => {
    const input = everySample();
    const output = codec.decode(codec.encode(input));
    expect(output.length).toBe(input.length);
    const violations: number[] = [];
    for (let i = 0; i < input.length; i++) {
      const x = input[i]!;
      const error = Math.abs(output[i]! - x);
      // Beyond the top code's decoded value the signal clips; the bound is checked below that.
      if (Math.abs(x) < 32000 && error > Math.abs(x) / 32 + smallStep + 1) violations.push(x);
    }
    expect(violations).toEqual([]);
  });

  it('keeps the sign and is monotonic', () => {
    const output = codec.decode(codec.encode(everySample()));
    let decreasing = 0;
    for (let i = 1; i < output.length; i++) if (output[i]! < output[i - 1]!) decreasing++;
    expect(decreasing).toBe(0);
    expect(output[0]!).toBeLessThan(-30000);
    expect(output[65535]!).toBeGreaterThan(30000);
  });

  it('decodes an encoded frame of 160 samples into 160 bytes and back', () => {
    const frame = new Int16Array(160).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * i) / 8)));
    const bytes = codec.encode(frame);
    expect(bytes.length).toBe(160);
    expect(codec.decode(bytes).length).toBe(160);
  });
});

describe.each<[string, G711Codec, typeof alawmulaw.mulaw]>([
  ['PCMU', PCMU, alawmulaw.mulaw],
  ['PCMA', PCMA, alawmulaw.alaw],
])('%s by table lookup', (_name, codec, law) => {
  it('encodes every 16-bit sample and decodes every code word exactly as alawmulaw does', () => {
    const input = everySample();
    expect(codec.encode(input)).toEqual(law.encode(input));
    const codeWords = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(codec.decode(codeWords)).toEqual(law.decode(codeWords));
  });

  it('encodes into a packet at an offset and decodes into a given frame, touching nothing else', () => {
    const frame = new Int16Array(160).map((_, i) => Math.round(12000 * Math.sin((2 * Math.PI * i) / 20)));
    const packet = new Uint8Array(12 + 160 + 4).fill(0xee);
    codec.encodeInto(frame, packet, 12);
    expect([...packet.subarray(0, 12), ...packet.subarray(172)]).toEqual(new Array(16).fill(0xee));
    expect(packet.subarray(12, 172)).toEqual(law.encode(frame));
    const decoded = new Int16Array(162).fill(7);
    codec.decodeInto(packet.subarray(12, 172), decoded);
    expect(decoded.subarray(0, 160)).toEqual(law.decode(law.encode(frame)));
    expect([...decoded.subarray(160)]).toEqual([7, 7]);
  });

  it('adds up the squares of the decoded samples without decoding, for every code word', () => {
    const codeWords = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const word of codeWords) expect(codec.sumOfSquares(codeWords.subarray(word, word + 1))).toBe(law.decodeSample(word) ** 2);
    const decoded = law.decode(codeWords);
    expect(codec.sumOfSquares(codeWords)).toBe(decoded.reduce((sum, sample) => sum + sample * sample, 0));
    expect(codec.sumOfSquares(new Uint8Array(0))).toBe(0);
  });
});

describe('G.711 known code words', () => {
  it('μ-law: silence is 0xFF, full scale is 0x80 / 0x00', () => {
    expect([...PCMU.encode(Int16Array.from([0, 32767, -32768]))]).toEqual([0xff, 0x80, 0x00]);
    expect([...PCMU.decode(Uint8Array.from([0xff, 0x80, 0x00]))]).toEqual([0, 32124, -32124]);
  });

  it('A-law: silence is 0xD5 (even bits inverted), full scale is 0xAA / 0x2A', () => {
    expect([...PCMA.encode(Int16Array.from([0, 32767, -32768]))]).toEqual([0xd5, 0xaa, 0x2a]);
    expect([...PCMA.decode(Uint8Array.from([0xd5, 0x55, 0xaa]))]).toEqual([8, -8, 32256]);
  });

  it('finds codecs by payload type and by rtpmap name', () => {
    expect(findG711Codec(0)).toBe(PCMU);
    expect(findG711Codec(8)).toBe(PCMA);
    expect(findG711Codec('pcma')).toBe(PCMA);
    expect(findG711Codec(18)).toBeUndefined();
    expect(findG711Codec('opus')).toBeUndefined();
  });
});
