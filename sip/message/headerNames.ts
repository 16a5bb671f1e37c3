/**
 * Header name knowledge: canonical spellings, compact forms (RFC 3261 §7.3.3 and later RFCs),
 * and which headers are comma-separated lists (RFC 3261 §7.3.1).
 */

import { flatCopy } from './grammar.js';

const CANONICAL_NAMES = [
  'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow',
  'Allow-Events', 'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact',
  'Content-Disposition', 'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Type',
  'CSeq', 'Date', 'Error-Info', 'Event', 'Expires', 'From', 'History-Info', 'Identity',
  'Identity-Info', 'In-Reply-To', 'Max-Forwards', 'MIME-Version', 'Min-Expires', 'Min-SE',
  'Organization', 'P-Asserted-Identity', 'P-Preferred-Identity', 'Path', 'Priority', 'Privacy',
  'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Require', 'RAck', 'Reason', 'Record-Route',
  'Refer-Sub', 'Refer-To', 'Referred-By', 'Reject-Contact', 'Replaces', 'Reply-To',
  'Request-Disposition', 'Require', 'Retry-After', 'Route', 'RSeq', 'Security-Client',
  'Security-Server', 'Security-Verify', 'Server', 'Service-Route', 'Session-Expires', 'SIP-ETag',
  'SIP-If-Match', 'Subject', 'Subscription-State', 'Supported', 'Timestamp', 'To', 'Unsupported',
  'User-Agent', 'Via', 'Warning', 'WWW-Authenticate',
] as const;

const CANONICAL_BY_KEY = new Map<string, string>(CANONICAL_NAMES.map((n) => [n.toLowerCase(), n]));

/** Compact forms: RFC 3261 §7.3.3, RFC 3265 (o, u), RFC 3515 (r), RFC 3892 (b), RFC 4028 (x), RFC 3841 (a, j, d), RFC 4474 (y, n). */
const COMPACT_FORMS = new Map<string, string>([
  ['v', 'via'], ['f', 'from'], ['t', 'to'], ['i', 'call-id'], ['m', 'contact'],
  ['l', 'content-length'], ['c', 'content-type'], ['k', 'supported'], ['e', 'content-encoding'],
  ['s', 'subject'], ['o', 'event'], ['r', 'refer-to'], ['b', 'referred-by'], ['u', 'allow-events'],
  ['x', 'session-expires'], ['a', 'accept-contact'], ['j', 'reject-contact'],
  ['d', 'request-disposition'], ['y', 'identity'], ['n', 'identity-info'],
]);

/**
 * Headers whose grammar is `#element` (comma-separated list). Everything else, including unknown
 * headers and those that carry commas inside one value (WWW-Authenticate, Authorization, Date,
 * Retry-After, ...), is kept whole per line.
 */
const LIST_HEADERS = new Set([
  'accept', 'accept-contact', 'accept-encoding', 'accept-language', 'alert-info', 'allow',
  'allow-events', 'call-info', 'contact', 'content-encoding', 'content-language', 'error-info',
  'history-info', 'in-reply-to', 'p-asserted-identity', 'p-preferred-identity', 'path',
  'proxy-require', 'reason', 'record-route', 'reject-contact', 'require', 'route',
  'security-client', 'security-server', 'security-verify', 'service-route', 'supported',
  'unsupported', 'via', 'warning',
]);

/** Keys of the names seen so far, as written: code asks for the same few names for every message. */
const KEYS = new Map<string, string>();
/** A peer can send any number of made-up names; past this many the cache stops growing. */
const MAX_CACHED_KEYS = 512;

/** The lookup key of a header name: lower case, compact forms expanded. */
export function headerKey(name: string): string {
  const cached = KEYS.get(name);
  if (cached !== undefined) return cached;
  const lower = name.toLowerCase();
  const key = (lower.length === 1 ? COMPACT_FORMS.get(lower) : undefined) ?? lower;
  // A copy of the name: a slice of a received message would keep the whole message alive.
  if (KEYS.size < MAX_CACHED_KEYS) KEYS.set(flatCopy(name), key);
  return key;
}

/** The canonical spelling (Call-ID, CSeq, WWW-Authenticate); unknown names are kept as written. */
export function canonicalHeaderName(name: string): string {
  return CANONICAL_BY_KEY.get(headerKey(name)) ?? name;
}

/** Whether the header (by key) is a comma-separated list that getAll() splits. */
export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}
