import { buildSdp, type SdpBuildOptions } from './buildSdp.js';
import { fail, ok, type Result } from './errors.js';
import { PCMA, PCMU, findG711Codec, type G711Codec } from './g711.js';
import { parseSdp, type MediaDirection, type SdpAudio, type SdpCodec } from './parseSdp.js';

/** The outcome of an offer/answer exchange, what an RtpSession needs to start. */
export interface NegotiatedMedia {
  /** The codec to send, and the payload type the peer gave it. */
  readonly codec: G711Codec;
  readonly payloadType: number;
  /** Every codec both sides support, in our order, with the peer's payload types. */
  readonly commonCodecs: readonly SdpCodec[];
  /** The peer's telephone-event payload type, if both sides do RFC 4733. */
  readonly telephoneEventPt: number | undefined;
  readonly remote: { readonly address: string; readonly port: number };
  /** Our direction (the complement of the peer's, limited by ours). */
  readonly direction: MediaDirection;
  readonly onHold: boolean;
}

export interface LocalMediaCapabilities {
  /** Our codecs in order of preference. Default PCMU, PCMA. */
  codecs?: readonly G711Codec[];
  /** Whether we take telephone-events. Default true. */
  telephoneEvent?: boolean;
  /** What we want to do. Default sendrecv. */
  direction?: MediaDirection;
}

const sends = (d: MediaDirection) => d === 'sendrecv' || d === 'sendonly';
const receives = (d: MediaDirection) => d === 'sendrecv' || d === 'recvonly';

/**
 * Matches a remote SDP against our capabilities: the codec is the first of ours that the peer
 * lists (by name and rate, so a PCMU on a dynamic payload type counts), and our direction
 * mirrors theirs (RFC 3264 §6.1: sendonly is answered recvonly, recvonly sendonly, inactive
 * inactive). No common codec is an error value: the caller answers 488.
 */
export function negotiateSdp(remote: SdpAudio, local: LocalMediaCapabilities = {}): Result<NegotiatedMedia> {
  const ours = local.codecs ?? [PCMU, PCMA];
  const commonCodecs: SdpCodec[] = [];
  let chosen: { codec: G711Codec; payloadType: number } | undefined;
  for (const codec of ours) {
    const match = remote.codecs.find((c) => findG711Codec(c.name) === codec && c.clockRate === codec.clockRate);
    if (!match) continue;
    commonCodecs.push({ payloadType: match.payloadType, name: codec.name, clockRate: codec.clockRate });
    chosen ??= { codec, payloadType: match.payloadType };
  }
  if (!chosen) {
    const theirs = remote.codecs.map((c) => `${c.name}/${c.clockRate}`).join(', ') || 'none';
    return fail('sdp-no-common-codec', `the peer offers ${theirs}`);
  }
  const wish = local.direction ?? 'sendrecv';
  const weSend = sends(wish) && receives(remote.direction);
  const weReceive = receives(wish) && sends(remote.direction);
  const direction: MediaDirection = weSend ? (weReceive ? 'sendrecv' : 'sendonly') : weReceive ? 'recvonly' : 'inactive';
  return ok({
    codec: chosen.codec,
    payloadType: chosen.payloadType,
    commonCodecs,
    telephoneEventPt: local.telephoneEvent === false ? undefined : remote.telephoneEventPt,
    remote: { address: remote.address, port: remote.port },
    direction,
    onHold: remote.onHold,
  });
}

/**
 * Parses an SDP offer, negotiates, and builds our answer listing only the common codecs (with the
 * offer's payload types, RFC 3264 §6.1) and telephone-event if the offer had it.
 */
export function answerSdp(
  offer: string,
  local: LocalMediaCapabilities & Pick<SdpBuildOptions, 'address' | 'port' | 'sessionId' | 'sessionVersion' | 'username'>,
): Result<{ sdp: string; media: NegotiatedMedia }> {
  const parsed = parseSdp(offer);
  if (!parsed.ok) return parsed;
  const negotiated = negotiateSdp(parsed.value, local);
  if (!negotiated.ok) return negotiated;
  const media = negotiated.value;
  const sdp = buildSdp({
    address: local.address,
    port: local.port,
    sessionId: local.sessionId,
    sessionVersion: local.sessionVersion,
    username: local.username,
    codecs: media.commonCodecs,
    telephoneEventPt: media.telephoneEventPt ?? null,
    direction: media.direction,
    ptime: parsed.value.ptime ?? 20,
  });
  return ok({ sdp, media });
}
