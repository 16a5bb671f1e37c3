import * as sdpTransform from 'sdp-transform';
import { PCMA, PCMU } from './g711.js';
import type { MediaDirection, SdpCodec } from './parseSdp.js';

export interface SdpBuildOptions {
  /** Our RTP address, for o= and c=. Default 127.0.0.1. */
  address?: string;
  /** Our RTP port (RtpSession.localPort). */
  port: number;
  /** Audio codecs in our order of preference. Default PCMU 0, PCMA 8. */
  codecs?: readonly SdpCodec[];
  /** telephone-event payload type, or null to offer no RFC 4733 events. Default 101. */
  telephoneEventPt?: number | null;
  /** Default sendrecv; sendonly or inactive puts the peer on hold (RFC 3264 §8.4). */
  direction?: MediaDirection;
  /** Packetisation time in ms. Default 20. */
  ptime?: number;
  /** o= session id; keep it for the dialog and bump `sessionVersion` on each re-offer (RFC 3264 §8). */
  sessionId?: number | string;
  sessionVersion?: number;
  /** o= username. Default "omnisip". */
  username?: string;
}

/**
 * An SDP offer or answer for one audio stream.
 *
 * @example buildSdp({ port: session.localPort, sessionId: 1, sessionVersion: 1 })
 */
export function buildSdp(options: SdpBuildOptions): string {
  const {
    address = '127.0.0.1',
    port,
    codecs = [PCMU, PCMA],
    telephoneEventPt = 101,
    direction = 'sendrecv',
    ptime = 20,
    username = 'omnisip',
  } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`omnisip media: SDP port ${port} is not 0..65535`);
  const sessionId = options.sessionId ?? Math.floor(Date.now() / 1000);
  const ipVer = address.includes(':') ? 6 : 4;
  const payloads = codecs.map((c) => c.payloadType);
  const rtp = codecs.map((c) => ({ payload: c.payloadType, codec: c.name, rate: c.clockRate }));
  const fmtp: Array<{ payload: number; config: string }> = [];
  if (telephoneEventPt !== null) {
    payloads.push(telephoneEventPt);
    rtp.push({ payload: telephoneEventPt, codec: 'telephone-event', rate: 8000 });
    fmtp.push({ payload: telephoneEventPt, config: '0-16' });
  }
  return sdpTransform.write({
    version: 0,
    origin: {
      username,
      sessionId,
      sessionVersion: options.sessionVersion ?? Number(sessionId),
      netType: 'IN',
      ipVer,
      address,
    },
    name: 'omnisip',
    connection: { version: ipVer, ip: address },
    timing: { start: 0, stop: 0 },
    media: [{ type: 'audio', port, protocol: 'RTP/AVP', payloads: payloads.join(' '), rtp, fmtp, ptime, direction }],
  });
}
