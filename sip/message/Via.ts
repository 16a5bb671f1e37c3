import { formatParams, isToken, parseParams } from './grammar.js';
import { parseHostPort } from './SipUri.js';

/**
 * One Via element (RFC 3261 §20.42): `SIP/2.0/UDP host:port;branch=z9hG4bK...;rport`.
 * `host` holds an IPv6 address without brackets; params (branch, received, rport, maddr, ttl and
 * unknown ones) are kept verbatim, a flag parameter such as a bare `rport` has the value null.
 */
export interface Via {
  protocol: string;
  transport: string;
  host: string;
  port?: number;
  params: Record<string, string | null>;
}

const SENT_PROTOCOL = /^([^\s/]+)\s*\/\s*([^\s/]+)\s*\/\s*([^\s/;]+)\s+/;

/**
 * The last Via parsed: a request's top Via is read by the parser, for its transaction key, for
 * `received`/`rport` and for where its response goes, each time from the same text. Callers get
 * their own copy, since they may change it (addReceivedParams does).
 */
let last: { text: string; via: Via | undefined } | undefined;

/** Parses one Via element (use SipHeaders.get('Via') / getAll('Via') to pick it). */
export function parseVia(text: string): Via | undefined {
  if (last === undefined || last.text !== text) last = { text, via: readVia(text) };
  const { via } = last;
  return via === undefined ? undefined : { ...via, params: { ...via.params } };
}

function readVia(text: string): Via | undefined {
  const trimmed = text.trim();
  const match = SENT_PROTOCOL.exec(trimmed);
  if (match === null) return undefined;
  const [whole, name = '', version = '', transport = ''] = match;
  if (!isToken(name) || !isToken(version) || !isToken(transport)) return undefined;
  const rest = trimmed.slice(whole.length);
  const semi = rest.indexOf(';');
  const sentBy = (semi === -1 ? rest : rest.slice(0, semi)).trim();
  const target: { host: string; port?: number } = { host: '' };
  // LWS is allowed around the ':' of sent-by (RFC 3261 §25.1 HCOLON is not used there, but peers do it).
  if (!parseHostPort(sentBy.replace(/\s*:\s*/g, ':'), target)) return undefined;
  const params = parseParams(semi === -1 ? '' : rest.slice(semi));
  if (params === undefined) return undefined;
  const via: Via = { protocol: `${name.toUpperCase()}/${version}`, transport: transport.toUpperCase(), host: target.host, params };
  if (target.port !== undefined) via.port = target.port;
  return via;
}

/** Formats a Via element, bracketing an IPv6 host. */
export function formatVia(via: Via): string {
  const host = via.host.includes(':') ? `[${via.host}]` : via.host;
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `${via.protocol}/${via.transport} ${host}${port}${formatParams(via.params)}`;
}
