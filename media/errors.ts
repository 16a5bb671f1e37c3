/**
 * Error templates for the media layer. Expected failures (a malformed packet from the network, an
 * SDP without a common codec, an unreadable WAV file) are returned as `Result` values built from
 * these templates; only programmer errors throw.
 */

export type MediaErrorCode =
  | 'rtp-too-short'
  | 'rtp-bad-version'
  | 'rtp-bad-csrc'
  | 'rtp-bad-extension'
  | 'rtp-bad-padding'
  | 'telephone-event-too-short'
  | 'dtmf-relay-invalid'
  | 'wav-unreadable'
  | 'wav-unsupported-format'
  | 'sdp-unparsable'
  | 'sdp-no-audio'
  | 'sdp-no-connection'
  | 'sdp-no-common-codec'
  | 'socket-bind-failed';

export interface MediaError {
  readonly code: MediaErrorCode;
  /** What failed, why, and what to do; always starts with "omnisip media:". */
  readonly message: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: MediaError };

const templates: Record<MediaErrorCode, (detail: string) => string> = {
  'rtp-too-short': (d) =>
    `RTP packet too short (${d}); an RTP header is at least 12 bytes. Check that the peer sends RTP (not RTCP or STUN) to this port.`,
  'rtp-bad-version': (d) =>
    `RTP version is ${d}, expected 2 (RFC 3550 §5.1). The datagram is probably not RTP.`,
  'rtp-bad-csrc': (d) => `RTP CSRC list overruns the packet (${d}). The packet is truncated or corrupt.`,
  'rtp-bad-extension': (d) => `RTP header extension overruns the packet (${d}). The packet is truncated or corrupt.`,
  'rtp-bad-padding': (d) =>
    `RTP padding count is invalid (${d}); RFC 3550 §5.1 requires 1..payload length. The packet is corrupt.`,
  'telephone-event-too-short': (d) =>
    `telephone-event payload is ${d} bytes, RFC 4733 §2.3 needs 4. Check the negotiated telephone-event payload type.`,
  'dtmf-relay-invalid': (d) =>
    `application/dtmf-relay body is invalid (${d}); expected "Signal=<0-9*#A-D>\\r\\nDuration=<ms>\\r\\n".`,
  'wav-unreadable': (d) => `cannot read the WAV file (${d}). Check that it is a RIFF/WAVE file.`,
  'wav-unsupported-format': (d) =>
    `unsupported WAV encoding (${d}); omnisip reads integer PCM, float PCM, A-law and μ-law. Convert it with "sox in.wav -e signed -b 16 out.wav".`,
  'sdp-unparsable': (d) => `cannot parse the SDP (${d}).`,
  'sdp-no-audio': (d) => `the SDP has no usable audio stream (${d}); answer 488 Not Acceptable Here.`,
  'sdp-no-connection': (d) => `the SDP audio stream has no connection address (${d}); RFC 4566 §5.7 requires c= at session or media level.`,
  'sdp-no-common-codec': (d) =>
    `no common codec (${d}); omnisip speaks PCMU/8000 and PCMA/8000. Answer 488 Not Acceptable Here (RFC 3261 §13.3.1.1).`,
  'socket-bind-failed': (d) => `cannot bind the RTP socket (${d}). Use port 0 to let the system pick a free port.`,
};

export function mediaError(code: MediaErrorCode, detail: string): MediaError {
  return { code, message: `omnisip media: ${templates[code](detail)}` };
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: MediaErrorCode, detail: string): Result<T> {
  return { ok: false, error: mediaError(code, detail) };
}
