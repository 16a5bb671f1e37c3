import { digitToEvent, encodeTelephoneEvent } from './telephoneEvent.js';

/** One packet of a DTMF digit, to be sent `offsetMs` after the digit starts. */
export interface PlannedTelephoneEventPacket {
  readonly offsetMs: number;
  /** Set on the first packet of the event only (RFC 4733 §2.5.1.2). */
  readonly marker: boolean;
  readonly payload: Uint8Array;
  readonly end: boolean;
}

export interface TelephoneEventPlanOptions {
  /** How long the key is held. Default 100 ms; RFC 4733 events longer than ~8 s would need segments. */
  durationMs?: number;
  /** 0..63 meaning -dBm0. Default 10. */
  volume?: number;
  /** Interval between update packets. Default 50 ms, the RFC 4733 §2.5.1.2 suggestion. */
  updateIntervalMs?: number;
  /** Interval between the redundant end packets. Default 20 ms (one ptime). */
  endSpacingMs?: number;
  /** Timestamp units per millisecond. Default 8 (telephone-event/8000). */
  unitsPerMs?: number;
}

/** How many times the final packet is sent (RFC 4733 §2.5.1.4 recommends three). */
export const END_PACKET_COPIES = 3;

/**
 * The packet sequence for one digit: a start packet with the marker bit, an update every 50 ms
 * with the growing duration, and the final duration three times with the E bit. Every packet of
 * the digit carries the same RTP timestamp (the event start); the caller gives each its own
 * sequence number.
 *
 * The start packet reports one 20 ms frame of duration rather than 0, as most phones do, so that
 * a receiver never sees a zero-length event.
 */
export function planTelephoneEvent(digit: string, options: TelephoneEventPlanOptions = {}): PlannedTelephoneEventPacket[] {
  const { durationMs = 100, volume = 10, updateIntervalMs = 50, endSpacingMs = 20, unitsPerMs = 8 } = options;
  const event = digitToEvent(digit);
  if (event === undefined) throw new RangeError(`omnisip media: "${digit}" is not a DTMF digit (0-9, *, #, A-D)`);
  if (!(durationMs >= 20)) throw new RangeError(`omnisip media: a DTMF digit lasts at least 20 ms, got ${durationMs}`);
  if (!(updateIntervalMs > 0)) throw new RangeError(`omnisip media: the update interval must be > 0, got ${updateIntervalMs}`);
  const total = Math.round(durationMs * unitsPerMs);
  const packets: PlannedTelephoneEventPacket[] = [];
  const push = (offsetMs: number, duration: number, end: boolean) =>
    packets.push({
      offsetMs,
      marker: packets.length === 0,
      end,
      payload: encodeTelephoneEvent({ event, end, volume, duration }),
    });
  push(0, Math.min(total, 20 * unitsPerMs), false);
  for (let t = updateIntervalMs; t < durationMs; t += updateIntervalMs) push(t, Math.round(t * unitsPerMs), false);
  for (let copy = 0; copy < END_PACKET_COPIES; copy++) push(durationMs + copy * endSpacingMs, total, true);
  return packets;
}
