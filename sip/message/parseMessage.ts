import { parseCSeq } from './CSeq.js';
import { parseErrors } from './errors.js';
import { isToken } from './grammar.js';
import { nameAddrDefect } from './NameAddr.js';
import { SipHeaders } from './SipHeaders.js';
import type { SipMessage, SipRequest } from './SipMessage.js';
import { parseVia } from './Via.js';

export type ParseResult =
  | { ok: true; message: SipMessage }
  | {
      ok: false;
      error: string;
      /**
       * Present when the message is a request with a readable method and a Via, so it can be
       * answered (at its source) with `status` and `error` as the reason phrase; whatever of
       * From, To, Call-ID and CSeq it has is copied into that answer.
       */
      answerable?: SipRequest;
      /** The status to answer with: 400, or 505 for a SIP version other than 2.0 (RFC 3261 §21.5.26). */
      status?: number;
    };

/** Limits that keep hostile input cheap: beyond them parseMessage returns an error. */
export const PARSER_LIMITS = {
  maxMessageBytes: 64 * 1024,
  /** physical lines after the start line, continuation lines included */
  maxHeaderLines: 256,
  /** per line, and per header once folded lines are joined */
  maxHeaderLineBytes: 8 * 1024,
} as const;

const MANDATORY = ['Via', 'From', 'To', 'Call-ID', 'CSeq'] as const;
/** Headers that may appear once only; a second line is a malformed message, not a list. */
const SINGLE = ['From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Length'] as const;
const LF = 0x0a;
const CR = 0x0d;

type StartLine =
  /** A request line; `error` (and `status`) when it is malformed but its method can still be answered. */
  | { type: 'request'; method: string; uri: string; error?: string; status?: number }
  | { type: 'response'; status: number; reason: string }
  | { error: string };

/**
 * Parses one SIP message (a UDP datagram, or one TCP message already framed by Content-Length).
 * Never throws: malformed input yields `{ ok: false, error }`, and `answerable` when the request can
 * still be answered with a 400 carrying `error` as its reason.
 *
 * The parsed message's Content-Length always equals its body length (RFC 3261 §18.3: a datagram's
 * body is cut to Content-Length; without one it is the rest of the datagram).
 */
export function parseMessage(data: Buffer | string): ParseResult {
  const { maxMessageBytes, maxHeaderLines, maxHeaderLineBytes } = PARSER_LIMITS;
  // A string has at least as many bytes as characters, so an oversized one is refused before encoding.
  if (data.length > maxMessageBytes) return { ok: false, error: parseErrors.tooLarge(data.length, maxMessageBytes) };
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (buf.length > maxMessageBytes) return { ok: false, error: parseErrors.tooLarge(buf.length, maxMessageBytes) };

  // RFC 3261 §7.5: CRLFs before the start line are ignored.
  let pos = 0;
  while (pos < buf.length && (buf[pos] === CR || buf[pos] === LF)) pos++;
  if (pos === buf.length) return { ok: false, error: parseErrors.empty() };

  const lines: string[] = [];
  let bodyStart = buf.length;
  while (pos < buf.length) {
    const newline = buf.indexOf(LF, pos);
    const end = newline === -1 ? buf.length : newline;
    const contentEnd = end > pos && buf[end - 1] === CR ? end - 1 : end;
    if (contentEnd - pos > maxHeaderLineBytes) return { ok: false, error: parseErrors.headerLineTooLong(maxHeaderLineBytes) };
    if (contentEnd === pos) {
      bodyStart = end + 1;
      break;
    }
    if (lines.length > maxHeaderLines) return { ok: false, error: parseErrors.tooManyHeaderLines(maxHeaderLines) };
    lines.push(buf.toString('utf8', pos, contentEnd));
    pos = end + 1;
  }

  const start = parseStartLine(lines[0] ?? '');
  if (!('type' in start)) return { ok: false, error: start.error };

  const headers = readHeaders(lines);
  if (typeof headers === 'string') return { ok: false, error: headers };

  const message: SipMessage =
    start.type === 'request'
      ? { type: 'request', method: start.method, uri: start.uri, headers: headers.headers, body: Buffer.alloc(0) }
      : { type: 'response', status: start.status, reason: start.reason, headers: headers.headers, body: Buffer.alloc(0) };

  // The start line's defect comes first: it is what the peer got most wrong (505 before 400).
  const startError = start.type === 'request' ? start.error : undefined;
  const error = startError ?? headers.error ?? checkHeaders(message) ?? readBody(message, buf.subarray(Math.min(bodyStart, buf.length)));
  if (error === undefined) return { ok: true, message };
  const answerable = message.type === 'request' && isAnswerable(message) ? message : undefined;
  if (answerable === undefined) return { ok: false, error };
  const status = start.type === 'request' && startError !== undefined ? start.status : undefined;
  return status === undefined ? { ok: false, error, answerable } : { ok: false, error, answerable, status };
}

function parseStartLine(line: string): StartLine {
  if (/^SIP\//i.test(line)) {
    // RFC 3261 §7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    const match = /^(\S+) +(\S+)(?: (.*))?$/.exec(line);
    if (match === null) return { error: parseErrors.malformedStartLine() };
    const [, version = '', code = '', reason = ''] = match;
    if (version.toUpperCase() !== 'SIP/2.0') return { error: parseErrors.badVersion(version) };
    if (!/^[1-6]\d\d$/.test(code)) return { error: parseErrors.badStatus(code) };
    return { type: 'response', status: Number(code), reason: reason.trim() };
  }
  return parseRequestLine(line);
}

/**
 * RFC 3261 §7.1: Request-Line = Method SP Request-URI SP SIP-Version CRLF, with exactly one SP
 * between the elements and none at the end (RFC 4475 §3.1.2.8-10). Once the method is readable the
 * request can be answered, so a defect after it is returned with the request rather than alone.
 */
function parseRequestLine(line: string): StartLine {
  const parts = line.split(' ');
  const [method = ''] = parts;
  if (!isToken(method)) return method === '' ? { error: parseErrors.malformedRequestLine() } : { error: parseErrors.badMethod(method) };
  const version = parts[parts.length - 1] ?? '';
  const uri = parts.slice(1, -1).join(' ');
  const broken = (error: string, status?: number): StartLine => ({ type: 'request', method, uri: parts[1] ?? '', error, ...(status !== undefined && { status }) });
  if (parts.length < 3) return broken(parseErrors.malformedRequestLine());
  if (/[ \t]$/.test(line)) return broken(parseErrors.requestLineTrailingSpace());
  if (parts.includes('')) return broken(parseErrors.requestLineExtraSpace());
  if (!/^SIP\/\d+\.\d+$/i.test(version)) return broken(parts.length > 3 ? parseErrors.requestLineSpaceInUri() : parseErrors.badVersion(version));
  // RFC 3261 §8.2.2.1 / §21.5.26: a version we do not speak is 505, even with a Request-URI we could read.
  if (version.toUpperCase() !== 'SIP/2.0') return broken(parseErrors.versionNotSupported(version), 505);
  if (parts.length > 3) return broken(parseErrors.requestLineSpaceInUri());
  if (uri.startsWith('<')) return broken(parseErrors.requestUriInBrackets());
  if (!/^[A-Za-z][A-Za-z0-9+\-.]*:./.test(uri)) return broken(parseErrors.badRequestUri(uri));
  // RFC 3261 §19.1.1 (Table 1): URI headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
  // A '?' may also sit in the user part (user-unreserved); headers start after the userinfo, which
  // the first '@' ends (neither a password nor a header value holds an unescaped '@').
  if (/^sips?:/i.test(uri) && uri.slice(uri.indexOf('@') + 1).includes('?')) return broken(parseErrors.requestUriHeaders());
  return { type: 'request', method, uri };
}

/**
 * Joins folded lines (RFC 3261 §7.3.1) and builds the headers. A malformed line is skipped and
 * reported as `error`, so the rest can still make the request answerable; a limit breach is fatal
 * (returned as a string).
 */
function readHeaders(lines: string[]): { headers: SipHeaders; error?: string } | string {
  const isContinuation = (line: string | undefined): boolean => line !== undefined && (line.startsWith(' ') || line.startsWith('\t'));
  if (isContinuation(lines[1])) return parseErrors.orphanContinuation();
  const entries: Array<[string, string]> = [];
  let error: string | undefined;
  for (let i = 1; i < lines.length; ) {
    const number = i;
    let text = lines[i++] ?? '';
    if (isContinuation(lines[i])) {
      // Only a folded line is measured here: an unfolded one was measured when the lines were split.
      let bytes = Buffer.byteLength(text);
      while (isContinuation(lines[i])) {
        const continuation = (lines[i++] ?? '').trim();
        text = `${text} ${continuation}`;
        bytes += 1 + Buffer.byteLength(continuation);
        if (bytes > PARSER_LIMITS.maxHeaderLineBytes) return parseErrors.headerLineTooLong(PARSER_LIMITS.maxHeaderLineBytes);
      }
    }
    const colon = text.indexOf(':');
    const name = colon === -1 ? '' : text.slice(0, colon).trimEnd();
    const lineError =
      colon === -1 ? parseErrors.noColon(number)
      : !isToken(name) ? parseErrors.badHeaderName(number)
      : text.includes('\r') ? parseErrors.bareCr(number)
      : undefined;
    if (lineError === undefined) entries.push([name, text.slice(colon + 1).trim()]);
    else error ??= lineError;
  }
  const headers = SipHeaders.fromCheckedLines(entries);
  return error === undefined ? { headers } : { headers, error };
}

/** RFC 3261 §8.1.1 / §8.2: the mandatory headers, each readable, CSeq matching the method. */
function checkHeaders(message: SipMessage): string | undefined {
  const { headers } = message;
  for (const name of MANDATORY) {
    const value = headers.get(name);
    if (value === undefined || value === '') return parseErrors.missingHeaders(MANDATORY.filter((n) => (headers.get(n) ?? '') === ''));
  }
  for (const name of SINGLE) {
    if (headers.count(name) > 1) return parseErrors.duplicateHeader(name);
  }
  if (parseVia(headers.get('Via') ?? '') === undefined) return parseErrors.badHeader('Via');
  for (const name of ['From', 'To'] as const) {
    const defect = nameAddrDefect(headers.get(name) ?? '');
    if (defect !== undefined) return parseErrors.badHeader(name, defect);
  }
  const cseqText = headers.get('CSeq') ?? '';
  const cseq = parseCSeq(cseqText);
  if (cseq === undefined) return parseErrors.badCSeq(cseqText);
  // RFC 3261 §8.1.1.5: the CSeq method MUST match that of the request.
  if (message.type === 'request' && cseq.method !== message.method) return parseErrors.cseqMethodMismatch(cseq.method, message.method);
  const maxForwards = headers.get('Max-Forwards');
  if (maxForwards !== undefined && !(/^\d{1,10}$/.test(maxForwards) && Number(maxForwards) <= 255)) return parseErrors.badMaxForwards(maxForwards);
  // A request's Contacts are acted on (registered, record-routed), so a broken one is refused up
  // front (RFC 4475 §3.1.2.13); a response's are left to whoever reads them.
  if (message.type === 'request') {
    for (const contact of headers.getAll('Contact')) {
      const defect = contact.trim() === '*' ? undefined : nameAddrDefect(contact);
      if (defect !== undefined) return parseErrors.badHeader('Contact', defect);
    }
  }
  return undefined;
}

/** RFC 3261 §18.3: Content-Length governs the body of a datagram; sets message.body. */
function readBody(message: SipMessage, rest: Buffer): string | undefined {
  const lengthText = message.headers.get('Content-Length');
  let body = rest;
  if (lengthText !== undefined) {
    if (!/^\d{1,10}$/.test(lengthText)) return parseErrors.badContentLength(lengthText);
    const length = Number(lengthText);
    if (length > rest.length) return parseErrors.contentLengthTooLarge();
    body = rest.subarray(0, length);
  }
  // A copy, so the message does not pin (or see changes to) the caller's receive buffer.
  message.body = Buffer.from(body);
  message.headers.set('Content-Length', message.body.length);
  return undefined;
}

/**
 * A request can be answered when it has a Via to copy; the answer goes to the packet's source
 * whatever that Via says (RFC 4475 §3.3.1: even a request without To, From and Call-ID should get
 * its 400). An ACK is never answered, but that is the caller's rule.
 */
function isAnswerable(request: SipRequest): boolean {
  return (request.headers.get('Via') ?? '') !== '';
}
