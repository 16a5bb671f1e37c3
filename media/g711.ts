import alawmulaw from 'alawmulaw';

/** An 8 kHz narrow-band codec with a static RTP payload type (RFC 3551 §6, Table 4). */
export interface G711Codec {
  /** The rtpmap encoding name, as in `a=rtpmap:0 PCMU/8000`. */
  readonly name: 'PCMU' | 'PCMA';
  readonly payloadType: 0 | 8;
  readonly clockRate: 8000;
  encode(pcm: Int16Array): Uint8Array;
  decode(payload: Uint8Array): Int16Array;
  /** Encodes into `target` from `offset` (which must have `pcm.length` bytes free): no allocation, for the 20 ms send path. */
  encodeInto(pcm: Int16Array, target: Uint8Array, offset?: number): void;
  /** Decodes into `target`, which must have `payload.length` samples: no allocation, for the receive path. */
  decodeInto(payload: Uint8Array, target: Int16Array): void;
  /**
   * The sum of the squares of the decoded samples, without decoding them: what an energy-based
   * voice-activity detector needs of a frame (`rmsDbfs` of the decoded frame, from one table lookup a sample).
   */
  sumOfSquares(payload: Uint8Array): number;
}

/**
 * G.711 by table lookup: 64 KiB per law to encode (every 16-bit sample), 512 bytes to decode.
 * The tables are built from alawmulaw's per-sample functions, so the results are alawmulaw's
 * (a test compares all 65,536 samples); the lookup just allocates nothing per frame. A typed array
 * per 20 ms frame was one of the small off-heap buffers whose churn made V8 run full collections
 * every second or so with 200 calls up (bench/calls). Each law's tables are built on its first
 * encode or decode, not when the module loads: building both took 40–100 ms of every start
 * (bench/api cold start), calls or not.
 */
function codecOf(
  name: 'PCMU' | 'PCMA',
  payloadType: 0 | 8,
  law: { encodeSample(sample: number): number; decodeSample(sample: number): number },
): G711Codec {
  let encodeTable: Uint8Array | undefined;
  let decodeTable: Int16Array | undefined;
  const encoder = (): Uint8Array => {
    if (encodeTable) return encodeTable;
    const table = new Uint8Array(65536);
    for (let sample = -32768; sample < 32768; sample++) table[sample & 0xffff] = law.encodeSample(sample);
    return (encodeTable = table);
  };
  const decoder = (): Int16Array => {
    if (decodeTable) return decodeTable;
    const table = new Int16Array(256);
    for (let byte = 0; byte < 256; byte++) table[byte] = law.decodeSample(byte);
    return (decodeTable = table);
  };
  const encodeInto = (pcm: Int16Array, target: Uint8Array, offset = 0): void => {
    const table = encodeTable ?? encoder();
    for (let i = 0; i < pcm.length; i++) target[offset + i] = table[pcm[i]! & 0xffff]!;
  };
  const decodeInto = (payload: Uint8Array, target: Int16Array): void => {
    const table = decodeTable ?? decoder();
    for (let i = 0; i < payload.length; i++) target[i] = table[payload[i]!]!;
  };
  let squaresTable: Float64Array | undefined;
  const squares = (): Float64Array => {
    const decoded = decodeTable ?? decoder();
    return (squaresTable = Float64Array.from(decoded, (sample) => sample * sample));
  };
  const sumOfSquares = (payload: Uint8Array): number => {
    const table = squaresTable ?? squares();
    let sum = 0;
    for (let i = 0; i < payload.length; i++) sum += table[payload[i]!]!;
    return sum;
  };
  return {
    name,
    payloadType,
    clockRate: 8000,
    encode: (pcm) => {
      const out = new Uint8Array(pcm.length);
      encodeInto(pcm, out);
      return out;
    },
    decode: (payload) => {
      const out = new Int16Array(payload.length);
      decodeInto(payload, out);
      return out;
    },
    encodeInto,
    decodeInto,
    sumOfSquares,
  };
}

/** ITU-T G.711 μ-law, RTP payload type 0. */
export const PCMU: G711Codec = codecOf('PCMU', 0, alawmulaw.mulaw);

/** ITU-T G.711 A-law, RTP payload type 8. */
export const PCMA: G711Codec = codecOf('PCMA', 8, alawmulaw.alaw);

/** The G.711 codec for an RTP payload type or an rtpmap name (case-insensitive), if it is one. */
export function findG711Codec(key: number | string): G711Codec | undefined {
  if (typeof key === 'number') return key === 0 ? PCMU : key === 8 ? PCMA : undefined;
  const name = key.toUpperCase();
  return name === 'PCMU' ? PCMU : name === 'PCMA' ? PCMA : undefined;
}
