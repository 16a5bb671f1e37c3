import { formatUri, parseNameAddr, type SipRequest } from '../../sip/index.js';
import type { ContactUpdate } from './LocationService.js';

export interface ExpiryPolicy {
  /** Shortest non-zero lifetime accepted, seconds; shorter gets 423 (RFC 3261 §10.3 step 7). */
  minExpires: number;
  /** Longest lifetime granted, seconds; longer requests are shortened. */
  maxExpires: number;
  /** Lifetime when the REGISTER names none, seconds. */
  defaultExpires: number;
}

/** The Contacts of a REGISTER, or why the registrar must refuse them. */
export type RegisterContacts =
  | { kind: 'fetch' }
  | { kind: 'remove-all' }
  | { kind: 'update'; contacts: ContactUpdate[] }
  | { kind: 'reject'; status: 400; reason: string }
  | { kind: 'too-brief'; minExpires: number };

const DELTA_SECONDS = /^\d{1,10}$/;

/**
 * Reads the Contacts of a REGISTER and settles each one's lifetime: its `expires` parameter,
 * else the Expires header, else the default (RFC 3261 §10.2.1.1), capped at `maxExpires`.
 * No Contact at all is a query for the current bindings (§10.2.3).
 */
export function readContacts(request: SipRequest, policy: ExpiryPolicy): RegisterContacts {
  const values = request.headers.getAll('Contact');
  const expiresHeader = request.headers.get('Expires');
  let headerExpires: number | undefined;
  if (expiresHeader !== undefined) {
    if (!DELTA_SECONDS.test(expiresHeader.trim())) return { kind: 'reject', status: 400, reason: 'Invalid Expires' };
    headerExpires = Number(expiresHeader.trim());
  }
  if (values.length === 0) return { kind: 'fetch' };

  if (values.some((v) => v.trim() === '*')) {
    // §10.3 step 6: "*" MUST come alone and with Expires 0, else 400.
    if (values.length !== 1 || headerExpires !== 0) return { kind: 'reject', status: 400, reason: 'Wildcard Contact needs Expires: 0 and no other Contact' };
    return { kind: 'remove-all' };
  }

  const contacts: ContactUpdate[] = [];
  for (const value of values) {
    const parsed = parseNameAddr(value);
    if (parsed === undefined) return { kind: 'reject', status: 400, reason: 'Invalid Contact' };
    const param = parsed.params.expires;
    if (param !== undefined && (param === null || !DELTA_SECONDS.test(param))) return { kind: 'reject', status: 400, reason: 'Invalid Contact expires' };
    const requested = param !== undefined && param !== null ? Number(param) : (headerExpires ?? policy.defaultExpires);
    if (requested > 0 && requested < policy.minExpires) return { kind: 'too-brief', minExpires: policy.minExpires };
    const contact: ContactUpdate = { uri: formatUri(parsed.uri), expires: Math.min(requested, policy.maxExpires) };
    const q = parsed.params.q === undefined || parsed.params.q === null ? undefined : Number(parsed.params.q);
    if (q !== undefined && Number.isFinite(q) && q >= 0 && q <= 1) contact.q = q;
    contacts.push(contact);
  }
  return { kind: 'update', contacts };
}
