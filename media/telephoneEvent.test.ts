import { describe, expect, it } from 'vitest';
import { decodeTelephoneEvent, digitToEvent, encodeTelephoneEvent, eventToDigit } from './telephoneEvent.js';
import { TelephoneEventReceiver, type DtmfDigit } from './TelephoneEventReceiver.js';
import { END_PACKET_COPIES, planTelephoneEvent } from './telephoneEventSender.js';

describe('telephone-event payload (RFC 4733 §2.3)', () => {
  it('encodes event, E bit, volume and duration in 4 bytes', () => {
    expect([...encodeTelephoneEvent({ event: 11, end: true, volume: 10, duration: 800 })]).toEqual([11, 0x8a, 0x03, 0x20]);
    expect([...encodeTelephoneEvent({ event: 0, end: false, volume: 63, duration: 65535 })]).toEqual([0, 0x3f, 0xff, 0xff]);
  });

  it('decodes what it encodes, ignoring the reserved R bit', () => {
    const decoded = decodeTelephoneEvent(Uint8Array.from([5, 0x80 | 0x40 | 7, 0x01, 0x90]));
    expect(decoded).toEqual({ ok: true, value: { event: 5, end: true, volume: 7, duration: 400 } });
  });

  it('returns a short payload as an error value', () => {
    const decoded = decodeTelephoneEvent(Uint8Array.from([5, 0x80]));
    expect(!decoded.ok && decoded.error.code).toBe('telephone-event-too-short');
  });

  it('maps the 16 DTMF digits to events 0-15 and back', () => {
    const digits = '0123456789*#ABCD';
    [...digits].forEach((digit, code) => {
      expect(digitToEvent(digit)).toBe(code);
      expect(eventToDigit(code)).toBe(digit);
    });
    expect(digitToEvent('b')).toBe(13);
    expect(digitToEvent('E')).toBeUndefined();
    expect(digitToEvent('12')).toBeUndefined();
    expect(eventToDigit(16)).toBeUndefined();
  });
});

describe('planTelephoneEvent', () => {
  it('plans a start packet with the marker, 50 ms updates and three end packets', () => {
    const plan = planTelephoneEvent('5', { durationMs: 160 });
    const rows = plan.map((p) => {
      const e = decodeTelephoneEvent(p.payload);
      if (!e.ok) throw new Error(e.error.message);
      return [p.offsetMs, p.marker, e.value.end, e.value.duration, e.value.event];
    });
    expect(rows).toEqual([
      [0, true, false, 160, 5],
      [50, false, false, 400, 5],
      [100, false, false, 800, 5],
      [150, false, false, 1200, 5],
      [160, false, true, 1280, 5],
      [180, false, true, 1280, 5],
      [200, false, true, 1280, 5],
    ]);
    expect(plan.filter((p) => p.end)).toHaveLength(END_PACKET_COPIES);
  });

  it('rejects non-digits and impossible durations as programmer errors', () => {
    expect(() => planTelephoneEvent('x')).toThrow(RangeError);
    expect(() => planTelephoneEvent('1', { durationMs: 5 })).toThrow(RangeError);
  });
});

describe('TelephoneEventReceiver', () => {
  function feed(receiver: TelephoneEventReceiver, digit: string, timestamp: number, options = {}): DtmfDigit[] {
    return planTelephoneEvent(digit, options).flatMap((p) => receiver.receive({ ssrc: 7, timestamp, payload: p.payload }));
  }

  it('reports each digit once, at its first end packet, with its duration', () => {
    const receiver = new TelephoneEventReceiver();
    const reports = [...feed(receiver, '1', 1000, { durationMs: 120 }), ...feed(receiver, '#', 5000, { durationMs: 200 })];
    expect(reports).toEqual([
      { digit: '1', event: 1, durationMs: 120, timestamp: 1000, volume: 10, ended: true },
      { digit: '#', event: 11, durationMs: 200, timestamp: 5000, volume: 10, ended: true },
    ]);
  });

  it('reports the same digit pressed twice as two digits (different timestamps)', () => {
    const receiver = new TelephoneEventReceiver();
    const reports = [...feed(receiver, '9', 0), ...feed(receiver, '9', 1600)];
    expect(reports.map((r) => r.digit)).toEqual(['9', '9']);
  });

  it('absorbs end packets that arrive again later (retransmitted or duplicated)', () => {
    const receiver = new TelephoneEventReceiver();
    const plan = planTelephoneEvent('3');
    const end = plan[plan.length - 1]!;
    expect(feed(receiver, '3', 80)).toHaveLength(1);
    expect(receiver.receive({ ssrc: 7, timestamp: 80, payload: end.payload })).toEqual([]);
  });

  it('still reports a digit whose end packets were all lost, when the next one starts or on flush', () => {
    const receiver = new TelephoneEventReceiver();
    const withoutEnd = planTelephoneEvent('4', { durationMs: 150 }).filter((p) => !p.end);
    for (const p of withoutEnd) expect(receiver.receive({ ssrc: 7, timestamp: 0, payload: p.payload })).toEqual([]);
    const next = feed(receiver, '6', 4000);
    expect(next.map((r) => [r.digit, r.ended, r.durationMs])).toEqual([['4', false, 100], ['6', true, 100]]);
    for (const p of withoutEnd) receiver.receive({ ssrc: 7, timestamp: 9000, payload: p.payload });
    expect(receiver.flush().map((r) => r.digit)).toEqual(['4']);
    expect(receiver.flush()).toEqual([]);
  });
});
