import * as sdpTransform from 'sdp-transform';
import { fail, ok, type Result } from './errors.js';

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** One payload format of an m= line. */
export interface SdpCodec {
  readonly payloadType: number;
  /** Encoding name as written (PCMU, pcma, opus...). */
  readonly name: string;
  readonly clockRate: number;
}

/** What the media layer needs from a remote session description's audio stream. */
export interface SdpAudio {
  /** Media-level c= if present, else session-level c= (RFC 4566 §5.7). */
  readonly address: string;
  readonly port: number;
  /** Audio codecs in the order the peer prefers them; telephone-event is not among them. */
  readonly codecs: readonly SdpCodec[];
  readonly telephoneEventPt: number | undefined;
  /**
   * The peer's direction: media-level a=, else session-level a=, else sendrecv (RFC 4566 §6). A
   * c=0.0.0.0 (RFC 2543 hold, RFC 3264 §8.4) means the peer will not receive, so sendrecv
   * reads as sendonly and recvonly as inactive.
   */
  readonly direction: MediaDirection;
  /** The peer put us on hold: a=sendonly, a=inactive or c=0.0.0.0. */
  readonly onHold: boolean;
  readonly ptime: number | undefined;
  /** o= session id and version, to tell a re-offer from a refresh. */
  readonly sessionId: string;
  readonly sessionVersion: number;
}

/** RFC 3551 §6 static payload types a peer may list without an a=rtpmap line. */
const STATIC_PAYLOAD_TYPES: Readonly<Record<number, readonly [string, number]>> = {
  0: ['PCMU', 8000],
  3: ['GSM', 8000],
  4: ['G723', 8000],
  8: ['PCMA', 8000],
  9: ['G722', 8000],
  13: ['CN', 8000],
  18: ['G729', 8000],
};

function isDirection(value: string | undefined): value is MediaDirection {
  return value === 'sendrecv' || value === 'sendonly' || value === 'recvonly' || value === 'inactive';
}

/** Parses a remote SDP (offer or answer) down to its first usable audio stream. */
export function parseSdp(text: string): Result<SdpAudio> {
  if (!/^v=0\s*$/m.test(text)) return fail('sdp-unparsable', 'no "v=0" line');
  let session: sdpTransform.SessionDescription;
  try {
    session = sdpTransform.parse(text);
  } catch (error) {
    return fail('sdp-unparsable', error instanceof Error ? error.message : String(error));
  }
  const audio = session.media.filter((m) => m.type === 'audio');
  if (audio.length === 0) return fail('sdp-no-audio', 'no m=audio line');
  const media = audio.find((m) => m.port !== 0);
  // RFC 3264 §6: port 0 rejects (or removes) the stream.
  if (!media) return fail('sdp-no-audio', 'the audio stream has port 0');

  const address = media.connection?.ip ?? session.connection?.ip;
  if (!address) return fail('sdp-no-connection', 'no c= line');

  const rtpmap = new Map(media.rtp.map((r) => [r.payload, [r.codec, r.rate ?? 8000] as const]));
  const codecs: SdpCodec[] = [];
  let telephoneEventPt: number | undefined;
  for (const pt of sdpTransform.parsePayloads(String(media.payloads ?? ''))) {
    const [name, clockRate] = rtpmap.get(pt) ?? STATIC_PAYLOAD_TYPES[pt] ?? [];
    if (name === undefined || clockRate === undefined) continue;
    if (name.toLowerCase() === 'telephone-event') {
      // Prefer the 8 kHz one: that is the clock of the G.711 stream it rides with.
      if (telephoneEventPt === undefined || clockRate === 8000) telephoneEventPt = pt;
    } else {
      codecs.push({ payloadType: pt, name, clockRate });
    }
  }

  const declared = isDirection(media.direction) ? media.direction : isDirection(session.direction) ? session.direction : 'sendrecv';
  const nullAddress = address === '0.0.0.0';
  const direction: MediaDirection = nullAddress
    ? declared === 'sendrecv' || declared === 'sendonly'
      ? 'sendonly'
      : 'inactive'
    : declared;
  return ok({
    address,
    port: media.port,
    codecs,
    telephoneEventPt,
    direction,
    onHold: nullAddress || declared === 'sendonly' || declared === 'inactive',
    ptime: media.ptime,
    sessionId: String(session.origin?.sessionId ?? ''),
    sessionVersion: Number(session.origin?.sessionVersion ?? 0),
  });
}
