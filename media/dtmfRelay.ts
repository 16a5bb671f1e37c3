import { fail, ok, type Result } from './errors.js';
import { eventToDigit } from './telephoneEvent.js';

/** A DTMF digit carried in a SIP INFO body of type application/dtmf-relay. */
export interface DtmfRelay {
  readonly signal: string;
  readonly durationMs: number;
}

/** The media type of the body, for the Content-Type header. */
export const DTMF_RELAY_CONTENT_TYPE = 'application/dtmf-relay';

/** Formats `Signal=5\r\nDuration=160\r\n`. */
export function formatDtmfRelay(relay: DtmfRelay): string {
  return `Signal=${relay.signal}\r\nDuration=${Math.round(relay.durationMs)}\r\n`;
}

/**
 * Parses an application/dtmf-relay body. There is no RFC for it; phones vary, so this accepts
 * any line ending, any key case, spaces around `=`, and the numeric forms 10 and 11 for * and #.
 * A missing Duration line reads as 250 ms (our choice: long enough for any DTMF consumer).
 */
export function parseDtmfRelay(body: string): Result<DtmfRelay> {
  const fields = new Map<string, string>();
  for (const line of body.split(/\r\n|\r|\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) fields.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  const rawSignal = fields.get('signal');
  if (rawSignal === undefined || rawSignal === '') return fail('dtmf-relay-invalid', 'no Signal line');
  const signal = /^\d{2}$/.test(rawSignal) ? eventToDigit(Number(rawSignal)) : rawSignal.toUpperCase();
  if (signal === undefined || !/^[0-9*#A-D]$/.test(signal)) return fail('dtmf-relay-invalid', `Signal=${rawSignal}`);
  const rawDuration = fields.get('duration');
  const durationMs = rawDuration === undefined ? 250 : Number(rawDuration);
  if (!Number.isFinite(durationMs) || durationMs < 0 || rawDuration === '') {
    return fail('dtmf-relay-invalid', `Duration=${rawDuration ?? ''}`);
  }
  return ok({ signal, durationMs });
}
