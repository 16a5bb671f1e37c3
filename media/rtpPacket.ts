import { fail, ok, type Result } from './errors.js';

/** A header extension (RFC 3550 §5.3.1): a 16-bit profile-defined value and 32-bit-word data. */
export interface RtpHeaderExtension {
  readonly profile: number;
  /** Length must be a multiple of 4 bytes. */
  readonly data: Uint8Array;
}

/** One RTP packet, RFC 3550 §5.1. The version is always 2. */
export interface RtpPacket {
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrc: readonly number[];
  readonly extension: RtpHeaderExtension | undefined;
  /** Number of padding octets after the payload (0 = P bit clear). */
  readonly paddingLength: number;
  readonly payload: Uint8Array;
}

export type RtpPacketInit = Pick<RtpPacket, 'payloadType' | 'sequenceNumber' | 'timestamp' | 'ssrc' | 'payload'> &
  Partial<Pick<RtpPacket, 'marker' | 'csrc' | 'extension' | 'paddingLength'>>;

const HEADER_LENGTH = 12;

function assertRange(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`omnisip media: RTP ${name} must be an integer in 0..${max}, got ${value}`);
  }
}

/** Serialises a packet; out-of-range fields are programmer errors and throw. */
export function encodeRtpPacket(init: RtpPacketInit): Uint8Array {
  const csrc = init.csrc ?? [];
  const paddingLength = init.paddingLength ?? 0;
  assertRange('payload type', init.payloadType, 127);
  assertRange('sequence number', init.sequenceNumber, 0xffff);
  assertRange('timestamp', init.timestamp, 0xffffffff);
  assertRange('SSRC', init.ssrc, 0xffffffff);
  assertRange('CSRC count', csrc.length, 15);
  assertRange('padding length', paddingLength, 255);
  if (init.extension && init.extension.data.length % 4 !== 0) {
    throw new RangeError('omnisip media: RTP header extension data must be a multiple of 4 bytes');
  }
  const extensionLength = init.extension ? 4 + init.extension.data.length : 0;
  const length = HEADER_LENGTH + csrc.length * 4 + extensionLength + init.payload.length + paddingLength;
  // From Node's shared pool rather than an ArrayBuffer per packet (see pcmFrames.ts for why that
  // matters at 10,000 packets a second); every byte is written below.
  const pooled = Buffer.allocUnsafe(length);
  const bytes = new Uint8Array(pooled.buffer, pooled.byteOffset, length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  bytes[0] = (2 << 6) | (paddingLength > 0 ? 0x20 : 0) | (init.extension ? 0x10 : 0) | csrc.length;
  bytes[1] = (init.marker ? 0x80 : 0) | init.payloadType;
  view.setUint16(2, init.sequenceNumber);
  view.setUint32(4, init.timestamp);
  view.setUint32(8, init.ssrc);
  let offset = HEADER_LENGTH;
  for (const source of csrc) {
    assertRange('CSRC', source, 0xffffffff);
    view.setUint32(offset, source);
    offset += 4;
  }
  if (init.extension) {
    assertRange('extension profile', init.extension.profile, 0xffff);
    view.setUint16(offset, init.extension.profile);
    view.setUint16(offset + 2, init.extension.data.length / 4);
    bytes.set(init.extension.data, offset + 4);
    offset += extensionLength;
  }
  bytes.set(init.payload, offset);
  if (paddingLength > 0) {
    bytes.fill(0, offset + init.payload.length, length - 1);
    bytes[length - 1] = paddingLength;
  }
  return bytes;
}

/**
 * Writes a plain packet (no CSRC, extension or padding) into `target` at 0 and returns the view of
 * it: the sender's path, 100 times a second per call, so nothing is allocated but the view. Returns
 * undefined when `target` is too small. Out-of-range fields throw, as in `encodeRtpPacket`.
 */
export function writeRtpPacket(
  target: Buffer,
  marker: boolean,
  payloadType: number,
  sequenceNumber: number,
  timestamp: number,
  ssrc: number,
  payload: Uint8Array,
): Uint8Array | undefined {
  const length = HEADER_LENGTH + payload.length;
  if (length > target.length) return undefined;
  assertRange('payload type', payloadType, 127);
  assertRange('sequence number', sequenceNumber, 0xffff);
  assertRange('timestamp', timestamp, 0xffffffff);
  assertRange('SSRC', ssrc, 0xffffffff);
  target[0] = 2 << 6;
  target[1] = (marker ? 0x80 : 0) | payloadType;
  target.writeUInt16BE(sequenceNumber, 2);
  target.writeUInt32BE(timestamp, 4);
  target.writeUInt32BE(ssrc, 8);
  target.set(payload, HEADER_LENGTH);
  return target.subarray(0, length);
}

/** The CSRC list of nearly every packet, shared (frozen: the field is read-only). */
const NO_CSRC = Object.freeze([]) as unknown as number[];

/** Parses a datagram; anything that is not a well-formed RTP packet comes back as an error value. */
export function decodeRtpPacket(bytes: Uint8Array): Result<RtpPacket> {
  if (bytes.length < HEADER_LENGTH) return fail('rtp-too-short', `${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first = view.getUint8(0);
  const second = view.getUint8(1);
  const version = first >> 6;
  if (version !== 2) return fail('rtp-bad-version', String(version));
  const hasPadding = (first & 0x20) !== 0;
  const hasExtension = (first & 0x10) !== 0;
  const csrcCount = first & 0x0f;

  let offset = HEADER_LENGTH;
  if (offset + csrcCount * 4 > bytes.length) {
    return fail('rtp-bad-csrc', `${csrcCount} CSRCs in a ${bytes.length}-byte packet`);
  }
  const csrc: number[] = csrcCount === 0 ? NO_CSRC : [];
  for (let i = 0; i < csrcCount; i++, offset += 4) csrc.push(view.getUint32(offset));

  let extension: RtpHeaderExtension | undefined;
  if (hasExtension) {
    if (offset + 4 > bytes.length) return fail('rtp-bad-extension', 'no room for the extension header');
    const words = view.getUint16(offset + 2);
    const end = offset + 4 + words * 4;
    if (end > bytes.length) return fail('rtp-bad-extension', `${words} words in a ${bytes.length}-byte packet`);
    extension = { profile: view.getUint16(offset), data: bytes.slice(offset + 4, end) };
    offset = end;
  }

  let paddingLength = 0;
  if (hasPadding) {
    // RFC 3550 §5.1: the last octet counts the padding, itself included, so it can't be 0.
    paddingLength = view.getUint8(bytes.length - 1);
    if (paddingLength === 0 || offset + paddingLength > bytes.length) {
      return fail('rtp-bad-padding', `${paddingLength} padding octets, ${bytes.length - offset} after the header`);
    }
  }

  return ok({
    marker: (second & 0x80) !== 0,
    payloadType: second & 0x7f,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    csrc,
    extension,
    paddingLength,
    payload: bytes.slice(offset, bytes.length - paddingLength),
  });
}
