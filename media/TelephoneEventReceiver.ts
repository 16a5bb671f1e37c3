import { decodeTelephoneEvent, eventToDigit } from './telephoneEvent.js';

/** A DTMF digit received as RFC 4733 events, reported once. */
export interface DtmfDigit {
  readonly digit: string;
  readonly event: number;
  readonly durationMs: number;
  /** RTP timestamp of the event start, which identifies the event. */
  readonly timestamp: number;
  readonly volume: number;
  /** False when the event was closed without an end packet (all three were lost). */
  readonly ended: boolean;
}

interface OpenEvent {
  readonly ssrc: number;
  readonly timestamp: number;
  readonly event: number;
  duration: number;
  volume: number;
}

/**
 * Turns the redundant packet stream of RFC 4733 into one report per digit. An event is identified
 * by (SSRC, RTP timestamp, event code) (RFC 4733 §2.5.2.1); it is reported at its first end packet,
 * and the end packets that follow are absorbed. If every end packet is lost, the digit is reported
 * when the next event starts or when `flush()` is called.
 */
export class TelephoneEventReceiver {
  private open: OpenEvent | undefined;
  /** Events already reported, so that late end packets are not reported twice. */
  private readonly reported: string[] = [];

  constructor(private readonly unitsPerMs = 8) {}

  /** Feeds one RTP packet of the telephone-event payload type; returns a digit when one completes. */
  receive(packet: { ssrc: number; timestamp: number; payload: Uint8Array }): DtmfDigit[] {
    const decoded = decodeTelephoneEvent(packet.payload);
    if (!decoded.ok) return [];
    const { event, end, volume, duration } = decoded.value;
    const key = `${packet.ssrc}/${packet.timestamp}/${event}`;
    if (this.reported.includes(key)) return [];

    const out: DtmfDigit[] = [];
    const current = this.open;
    if (current && (current.ssrc !== packet.ssrc || current.timestamp !== packet.timestamp || current.event !== event)) {
      // A new event began before the old one's end arrived: the old one is over.
      out.push(this.report(current, false));
    }
    if (!this.open) this.open = { ssrc: packet.ssrc, timestamp: packet.timestamp, event, duration, volume };
    const open = this.open;
    open.duration = Math.max(open.duration, duration);
    open.volume = volume;
    if (end) out.push(this.report(open, true));
    return out;
  }

  /** Closes an event whose end packets never came (call on RTP timeout or at hang-up). */
  flush(): DtmfDigit[] {
    return this.open ? [this.report(this.open, false)] : [];
  }

  private report(event: OpenEvent, ended: boolean): DtmfDigit {
    this.open = undefined;
    this.reported.push(`${event.ssrc}/${event.timestamp}/${event.event}`);
    if (this.reported.length > 32) this.reported.shift();
    return {
      digit: eventToDigit(event.event) ?? `event-${event.event}`,
      event: event.event,
      durationMs: event.duration / this.unitsPerMs,
      timestamp: event.timestamp,
      volume: event.volume,
      ended,
    };
  }
}
