import { reasonPhrase } from '../message/index.js';

/** The status line of a `message/sipfrag` body (RFC 3420), as NOTIFYs for REFER carry it (RFC 3515 §2.4.5). */
export interface SipfragStatus {
  /** `SIP/2.0 200 OK` */
  statusLine: string;
  status: number;
  reason: string;
}

export const SIPFRAG_CONTENT_TYPE = 'message/sipfrag;version=2.0';

const STATUS_LINE = /^SIP\/2\.0[ \t]+([1-6]\d\d)(?:[ \t]+([^\r\n]*))?$/i;

/**
 * Reads the status line of a sipfrag body; header lines after it are ignored. Returns undefined
 * for a body that is not a response fragment (a request line, garbage, empty).
 *
 * @example
 * parseSipfrag('SIP/2.0 486 Busy Here\r\n'); // { statusLine: 'SIP/2.0 486 Busy Here', status: 486, reason: 'Busy Here' }
 */
export function parseSipfrag(body: Buffer | string): SipfragStatus | undefined {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const firstLine = text.replace(/^[\r\n]+/, '').split(/\r?\n/, 1)[0]?.trim() ?? '';
  const match = STATUS_LINE.exec(firstLine);
  if (match === null) return undefined;
  const status = Number(match[1]);
  const reason = (match[2] ?? '').trim();
  return { statusLine: `SIP/2.0 ${status}${reason === '' ? '' : ` ${reason}`}`, status, reason };
}

/** A sipfrag body holding only a status line: `formatSipfrag(200)` is `SIP/2.0 200 OK\r\n`. */
export function formatSipfrag(status: number, reason?: string): string {
  if (!Number.isInteger(status) || status < 100 || status > 699) throw new RangeError(`formatSipfrag: invalid status ${status}`);
  const phrase = (reason ?? reasonPhrase(status)).replace(/[\r\n]+/g, ' ');
  return `SIP/2.0 ${status} ${phrase}\r\n`;
}
