const QUOTED = String.raw`"(?:[^"\\]|\\.)*"`;
/** `response=` of Authorization / Proxy-Authorization: with the nonce it allows an offline password guess. */
const RESPONSE = new RegExp(String.raw`(\bresponse\s*=\s*)(${QUOTED}|[^\s,;]+)`, 'gi');
/** `password=x`, `"password": "x"`, `secret: x` in bodies, URIs' headers, JSON and logs. */
const PASSWORD = new RegExp(String.raw`(["']?\b(?:password|passwd|pwd|secret)["']?\s*[:=]\s*)(${QUOTED}|'[^']*'|[^\s,;&"'}\]]+)`, 'gi');
/** The deprecated user:password@ form of SIP URIs (RFC 3261 §19.1.1). */
const URI_PASSWORD = /(\bsips?:[^\s:@;<>"]+:)([^\s@;<>"]+)(@)/gi;

const REDACTED = '[redacted]';

/**
 * Replaces digest `response=` values and password-looking values with "[redacted]", for traces and
 * logs (DESIGN.md: passwords are never in a log line, a trace or an export).
 *
 * @example
 * redactAuthorization('Authorization: Digest username="101", response="6629fae4"')
 * // 'Authorization: Digest username="101", response="[redacted]"'
 */
export function redactAuthorization(text: string): string {
  return text
    .replace(RESPONSE, (_m, prefix: string, value: string) => `${prefix}${keepQuotes(value)}`)
    .replace(PASSWORD, (_m, prefix: string, value: string) => `${prefix}${keepQuotes(value)}`)
    .replace(URI_PASSWORD, `$1${REDACTED}$3`);
}

function keepQuotes(value: string): string {
  if (value.startsWith('"')) return `"${REDACTED}"`;
  if (value.startsWith("'")) return `'${REDACTED}'`;
  return REDACTED;
}
