/**
 * SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966).
 *
 * `host` is stored without the brackets of an IPv6 reference (`::1`, not `[::1]`), so it can be
 * handed to a socket as is; formatUri puts the brackets back. `user` and `password` are
 * %-decoded; parameters and headers are kept verbatim. A tel URI has its number in `user` and an
 * empty `host`.
 */
export interface SipUri {
  scheme: 'sip' | 'sips' | 'tel';
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Record<string, string | null>;
  headers: Record<string, string>;
}

const HOSTNAME = /^[A-Za-z0-9\-._]+$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;
const PORT = /^\d{1,5}$/;
/** RFC 3261 §25.1 unreserved plus user-unreserved: what a user part may hold unescaped. */
const USER_SAFE = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/;
/** unreserved plus "&" / "=" / "+" / "$" / ",": what a password may hold unescaped. */
const PASSWORD_SAFE = /[A-Za-z0-9\-_.!~*'()&=+$,]/;

/**
 * Parses a sip:, sips: or tel: URI. Returns undefined for anything else or anything malformed.
 *
 * @example
 * parseUri('sip:alice%40home@[::1]:5070;transport=tcp?subject=hi')
 * // { scheme: 'sip', user: 'alice@home', host: '::1', port: 5070, params: { transport: 'tcp' }, headers: { subject: 'hi' } }
 */
export function parseUri(text: string): SipUri | undefined {
  const trimmed = text.trim();
  if (/\s/.test(trimmed)) return undefined;
  const colon = trimmed.indexOf(':');
  if (colon === -1) return undefined;
  const scheme = trimmed.slice(0, colon).toLowerCase();
  const rest = trimmed.slice(colon + 1);
  if (scheme === 'tel') return parseTel(rest);
  if (scheme !== 'sip' && scheme !== 'sips') return undefined;

  // The user part may hold ';' and '?' (user-unreserved) but never an unescaped '@', so the first
  // '@' ends it; an '@' after '?' belongs to a URI header instead.
  const at = rest.indexOf('@');
  const question = rest.indexOf('?');
  const hasUserInfo = at !== -1 && (question === -1 || at < question);
  const uri: SipUri = { scheme, host: '', params: {}, headers: {} };
  let hostPart = rest;
  if (hasUserInfo) {
    const userInfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const pw = userInfo.indexOf(':');
    const user = decode(pw === -1 ? userInfo : userInfo.slice(0, pw));
    if (user === undefined || user === '') return undefined;
    uri.user = user;
    if (pw !== -1) {
      const password = decode(userInfo.slice(pw + 1));
      if (password === undefined) return undefined;
      uri.password = password;
    }
  }

  const headerStart = hostPart.indexOf('?');
  const beforeHeaders = headerStart === -1 ? hostPart : hostPart.slice(0, headerStart);
  const paramStart = beforeHeaders.indexOf(';');
  const hostPort = paramStart === -1 ? beforeHeaders : beforeHeaders.slice(0, paramStart);
  if (!parseHostPort(hostPort, uri)) return undefined;
  if (paramStart !== -1) {
    const params = parseUriParams(beforeHeaders.slice(paramStart + 1));
    if (params === undefined) return undefined;
    uri.params = params;
  }
  if (headerStart !== -1) {
    const headers = parseUriHeaders(hostPart.slice(headerStart + 1));
    if (headers === undefined) return undefined;
    uri.headers = headers;
  }
  return uri;
}

/** Formats a URI, %-escaping the user part and password where RFC 3261 §19.1.1 requires. */
export function formatUri(uri: SipUri): string {
  let out = `${uri.scheme}:`;
  if (uri.scheme === 'tel') {
    out += escape(uri.user ?? '', USER_SAFE);
  } else {
    if (uri.user !== undefined) {
      out += escape(uri.user, USER_SAFE);
      if (uri.password !== undefined) out += `:${escape(uri.password, PASSWORD_SAFE)}`;
      out += '@';
    }
    out += uri.host.includes(':') ? `[${uri.host}]` : uri.host;
    if (uri.port !== undefined) out += `:${uri.port}`;
  }
  for (const [name, value] of Object.entries(uri.params)) {
    out += value === null ? `;${name}` : `;${name}=${value}`;
  }
  const headers = Object.entries(uri.headers);
  if (headers.length > 0) out += `?${headers.map(([n, v]) => `${n}=${v}`).join('&')}`;
  return out;
}

/** Parses `host[:port]` or `[ipv6][:port]` into `uri`; false when malformed. Shared with Via's sent-by. */
export function parseHostPort(text: string, target: { host: string; port?: number }): boolean {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return false;
    host = text.slice(1, close);
    if (!IPV6.test(host) || !host.includes(':')) return false;
    const after = text.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return false;
      portText = after.slice(1);
    }
  } else {
    const colon = text.indexOf(':');
    host = colon === -1 ? text : text.slice(0, colon);
    if (colon !== -1) portText = text.slice(colon + 1);
    if (!HOSTNAME.test(host)) return false;
  }
  target.host = host;
  if (portText !== undefined) {
    if (!PORT.test(portText)) return false;
    const port = Number(portText);
    if (port > 65535) return false;
    target.port = port;
  }
  return true;
}

function parseTel(rest: string): SipUri | undefined {
  const semi = rest.indexOf(';');
  const number = decode(semi === -1 ? rest : rest.slice(0, semi));
  if (number === undefined || number === '' || /[?@]/.test(number)) return undefined;
  const uri: SipUri = { scheme: 'tel', user: number, host: '', params: {}, headers: {} };
  if (semi !== -1) {
    const params = parseUriParams(rest.slice(semi + 1));
    if (params === undefined) return undefined;
    uri.params = params;
  }
  return uri;
}

function parseUriParams(text: string): Record<string, string | null> | undefined {
  const params: Record<string, string | null> = {};
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    if (name === '' || name === '__proto__') return undefined;
    params[name] = eq === -1 ? null : part.slice(eq + 1);
  }
  return params;
}

function parseUriHeaders(text: string): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    if (name === '' || name === '__proto__') return undefined;
    headers[name] = eq === -1 ? '' : part.slice(eq + 1);
  }
  return headers;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** %xx-decodes as UTF-8; undefined for a broken escape or bytes that are not UTF-8. */
function decode(text: string): string | undefined {
  if (!text.includes('%')) return text;
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return undefined;
  try {
    return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => utf8.decode(Buffer.from(run.replace(/%/g, ''), 'hex')));
  } catch {
    return undefined;
  }
}

function escape(text: string, safe: RegExp): string {
  let out = '';
  for (const ch of text) {
    if (safe.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
