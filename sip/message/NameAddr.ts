import { formatParams, parseParams, quote, readQuoted } from './grammar.js';
import { formatUri, parseUri, type SipUri } from './SipUri.js';

/**
 * The value of From, To, Contact, Route, Record-Route, Refer-To... (RFC 3261 §20.10, §25.1
 * name-addr / addr-spec). `params` are the header parameters after the URI (tag, expires, q, lr
 * on a bare addr-spec); the URI's own parameters are in `uri.params`.
 */
export interface NameAddr {
  displayName?: string;
  uri: SipUri;
  params: Record<string, string | null>;
}

interface NameAddrParts {
  displayName?: string;
  uriText: string;
  params: Record<string, string | null>;
  bracketed: boolean;
}

/** RFC 3261 §25.1 absoluteURI, loosely: a scheme, a colon, and no whitespace or angle brackets. */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+\-.]*:[^\s<>]+$/;

/**
 * Parses `"Alice" <sip:alice@atlanta.com>;tag=1928301774`, `Bob <sip:bob@b.com>` or the addr-spec
 * form `sip:carol@c.com;tag=x`. Only sip, sips and tel URIs parse; the `*` of a wildcard Contact is
 * not a name-addr: callers handle it.
 */
export function parseNameAddr(text: string): NameAddr | undefined {
  const parts = splitNameAddr(text);
  if ('defect' in parts) return undefined;
  const uri = parseUri(parts.uriText);
  // RFC 3261 §20.10: a URI with '?' (headers) must be in angle brackets.
  if (uri === undefined || (!parts.bracketed && Object.keys(uri.headers).length > 0)) return undefined;
  const { displayName, params } = parts;
  return displayName === undefined ? { uri, params } : { displayName, uri, params };
}

/** Always writes the `<uri>` form, so URI parameters never read as header parameters. */
export function formatNameAddr(value: NameAddr): string {
  const name = value.displayName !== undefined && value.displayName !== '' ? `${quote(value.displayName)} ` : '';
  return `${name}<${formatUri(value.uri)}>${formatParams(value.params)}`;
}

/**
 * Whether `text` is a well-formed name-addr or addr-spec with any URI scheme (RFC 4475 §3.1.1.12:
 * `To: isbn:2983792873` is a valid message), and the header params it carries.
 */
export function readNameAddrParams(text: string): Record<string, string | null> | undefined {
  const parts = splitNameAddr(text);
  return 'defect' in parts || !ABSOLUTE_URI.test(parts.uriText) ? undefined : parts.params;
}

/**
 * What is wrong with a name-addr or addr-spec, in a few words for a 400 reason phrase
 * (e.g. "unterminated quoted string"), or undefined when it is well formed.
 *
 * @example
 * nameAddrDefect('"Watson, Thomas" < sip:t.watson@example.org >'); // 'whitespace inside <>'
 */
export function nameAddrDefect(text: string): string | undefined {
  const parts = splitNameAddr(text);
  if ('defect' in parts) return parts.defect;
  return ABSOLUTE_URI.test(parts.uriText) ? undefined : 'not a URI';
}

function splitNameAddr(text: string): NameAddrParts | { defect: string } {
  const trimmed = text.trim();
  let displayName: string | undefined;
  let rest = trimmed;

  if (trimmed.startsWith('"')) {
    const q = readQuoted(trimmed, 0);
    if (q === undefined) return { defect: 'unterminated quoted string' };
    displayName = q.value;
    rest = trimmed.slice(q.end).trimStart();
    if (!rest.startsWith('<')) return { defect: 'quoted display name without <URI>' };
  } else {
    const open = trimmed.indexOf('<');
    if (open !== -1) {
      const name = trimmed.slice(0, open).trim();
      // An unquoted display name is a run of tokens (RFC 3261 §25.1); quotes or separators are garbage.
      if (/["<>;,]/.test(name)) return { defect: 'unquoted display name with separators' };
      if (name !== '') displayName = name.replace(/\s+/g, ' ');
      rest = trimmed.slice(open);
    }
  }

  if (rest.startsWith('<')) {
    const close = rest.indexOf('>');
    if (close === -1) return { defect: 'no closing >' };
    const inside = rest.slice(1, close);
    // RFC 3261 §25.1: LAQUOT addr-spec RAQUOT has no room for LWS around the URI (RFC 4475 §3.1.2.14).
    if (inside !== inside.trim()) return { defect: 'whitespace inside <>' };
    const params = parseParams(rest.slice(close + 1));
    if (params === undefined) return { defect: 'bad parameters' };
    const parts: NameAddrParts = { uriText: inside, params, bracketed: true };
    if (displayName !== undefined) parts.displayName = displayName;
    return parts;
  }

  // RFC 3261 §20.10: without angle brackets, everything after the first ';' is a header parameter.
  const semi = rest.indexOf(';');
  const params = parseParams(semi === -1 ? '' : rest.slice(semi));
  if (params === undefined) return { defect: 'bad parameters' };
  const uriText = (semi === -1 ? rest : rest.slice(0, semi)).trim();
  // §20.10: a URI with a comma, question mark or semicolon MUST be in <> (RFC 4475 §3.1.2.13).
  if (/[?,]/.test(uriText)) return { defect: 'URI with headers not enclosed in <>' };
  return { uriText, params, bracketed: false };
}
