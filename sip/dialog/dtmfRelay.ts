import type { SipRequest } from '../message/index.js';

export const DTMF_RELAY_CONTENT_TYPE = 'application/dtmf-relay';

/** The events an application/dtmf-relay body can carry: digits, * and #, A-D (and 16, flash hook). */
const SIGNAL = /^(?:[0-9*#A-D]|16)$/;

export interface DtmfRelay {
  signal: string;
  /** In milliseconds, when the body says. */
  duration?: number;
}

/**
 * The body of a DTMF INFO (`application/dtmf-relay`, the de facto format of SIP INFO DTMF), ready
 * for `dialog.request('INFO', dtmfRelay('5'))`. Throws on a signal that is not a DTMF event.
 *
 * @example
 * await dialog.request('INFO', dtmfRelay('#', 250)); // body "Signal=#\r\nDuration=250\r\n"
 */
export function dtmfRelay(signal: string, durationMs = 160): { contentType: string; body: string } {
  const normalized = signal.toUpperCase();
  if (!SIGNAL.test(normalized)) throw new TypeError(`dtmfRelay: ${JSON.stringify(signal)} is not a DTMF signal (0-9, *, #, A-D, 16)`);
  if (!Number.isInteger(durationMs) || durationMs <= 0) throw new RangeError(`dtmfRelay: duration must be a positive integer of ms, got ${durationMs}`);
  return { contentType: DTMF_RELAY_CONTENT_TYPE, body: `Signal=${normalized}\r\nDuration=${durationMs}\r\n` };
}

/** Some phones send the RFC 4733 event numbers of * and # instead of the characters. */
const NUMERIC_SIGNALS: Record<string, string> = { '10': '*', '11': '#' };

/**
 * Reads the DTMF event of an INFO request; undefined when it is not a well-formed
 * application/dtmf-relay body. There is no RFC for the format and phones vary, so any line ending,
 * any key case, spaces around `=` and the numeric forms 10 and 11 for * and # are accepted.
 */
export function parseDtmfRelay(request: SipRequest): DtmfRelay | undefined {
  const type = request.headers.get('Content-Type')?.split(';', 1)[0]?.trim().toLowerCase();
  if (type !== DTMF_RELAY_CONTENT_TYPE) return undefined;
  let signal: string | undefined;
  let duration: number | undefined;
  for (const line of request.body.toString('utf8').split(/\r\n|\r|\n/)) {
    const eq = line.indexOf('=');
    if (eq === -1) continue;
    const name = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (name === 'signal') signal = NUMERIC_SIGNALS[value] ?? value.toUpperCase();
    else if (name === 'duration' && /^\d+$/.test(value)) duration = Number(value);
  }
  if (signal === undefined || !SIGNAL.test(signal)) return undefined;
  return duration === undefined ? { signal } : { signal, duration };
}
