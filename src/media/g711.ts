import alawmulaw from 'alawmulaw';

/** An 8 kHz narrow-band codec with a static RTP payload type (RFC 3551 §6, Table 4). */
export interface G711Codec {
  /** The rtpmap encoding name, as in `a=rtpmap:0 PCMU/8000`. */
  readonly name: 'PCMU' | 'PCMA';
  readonly payloadType: 0 | 8;
  readonly clockRate: 8000;
  encode(pcm: Int16Array): Uint8Array;
  decode(payload: Uint8Array): Int16Array;
}

/** ITU-T G.711 μ-law, RTP payload type 0. */
export const PCMU: G711Codec = {
  name: 'PCMU',
  payloadType: 0,
  clockRate: 8000,
  encode: (pcm) => alawmulaw.mulaw.encode(pcm),
  decode: (payload) => alawmulaw.mulaw.decode(payload),
};

/** ITU-T G.711 A-law, RTP payload type 8. */
export const PCMA: G711Codec = {
  name: 'PCMA',
  payloadType: 8,
  clockRate: 8000,
  encode: (pcm) => alawmulaw.alaw.encode(pcm),
  decode: (payload) => alawmulaw.alaw.decode(payload),
};

/** The G.711 codec for an RTP payload type or an rtpmap name (case-insensitive), if it is one. */
export function findG711Codec(key: number | string): G711Codec | undefined {
  if (typeof key === 'number') return key === 0 ? PCMU : key === 8 ? PCMA : undefined;
  const name = key.toUpperCase();
  return name === 'PCMU' ? PCMU : name === 'PCMA' ? PCMA : undefined;
}
