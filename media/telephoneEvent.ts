import { fail, ok, type Result } from './errors.js';

/** The 4-byte telephone-event payload, RFC 4733 §2.3. */
export interface TelephoneEvent {
  /** Event code: 0-9, 10 = *, 11 = #, 12-15 = A-D, 16 = flash (RFC 4733 §3.2). */
  readonly event: number;
  /** E bit: this packet ends the event. */
  readonly end: boolean;
  /** Power level as 0..63, meaning 0 to -63 dBm0. */
  readonly volume: number;
  /** Duration so far, in timestamp units (1/8000 s for telephone-event/8000). */
  readonly duration: number;
}

const DIGITS = '0123456789*#ABCD';

/** The RFC 4733 event code of a DTMF digit (case-insensitive), or undefined if it is not one. */
export function digitToEvent(digit: string): number | undefined {
  const index = digit.length === 1 ? DIGITS.indexOf(digit.toUpperCase()) : -1;
  return index >= 0 ? index : undefined;
}

/** The DTMF digit of an RFC 4733 event code, or undefined for codes that are not digits (16 = flash). */
export function eventToDigit(event: number): string | undefined {
  return Number.isInteger(event) && event >= 0 && event < DIGITS.length ? DIGITS[event] : undefined;
}

export function encodeTelephoneEvent(value: TelephoneEvent): Uint8Array {
  const { event, end, volume, duration } = value;
  if (!Number.isInteger(event) || event < 0 || event > 255) throw new RangeError(`omnisip media: telephone-event code ${event} is not 0..255`);
  if (!Number.isInteger(volume) || volume < 0 || volume > 63) throw new RangeError(`omnisip media: telephone-event volume ${volume} is not 0..63`);
  if (!Number.isInteger(duration) || duration < 0 || duration > 0xffff) {
    throw new RangeError(`omnisip media: telephone-event duration ${duration} is not 0..65535`);
  }
  // The R bit (0x40) is reserved: sent as zero, ignored on receipt (RFC 4733 §2.3).
  return Uint8Array.from([event, (end ? 0x80 : 0) | volume, duration >> 8, duration & 0xff]);
}

export function decodeTelephoneEvent(payload: Uint8Array): Result<TelephoneEvent> {
  if (payload.length < 4) return fail('telephone-event-too-short', String(payload.length));
  return ok({
    event: payload[0]!,
    end: (payload[1]! & 0x80) !== 0,
    volume: payload[1]! & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  });
}
