import { describe, expect, it } from 'vitest';
import { parseMessage, PARSER_LIMITS, type ParseResult } from './parseMessage.js';
import type { SipMessage } from './SipMessage.js';
import { parseVia } from './Via.js';

const VIA = 'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds';
const FROM = 'From: Alice <sip:alice@atlanta.com>;tag=1928301774';
const TO = 'To: Bob <sip:bob@biloxi.com>';
const CALL_ID = 'Call-ID: a84b4c76e66710@pc33.atlanta.com';
const CSEQ = 'CSeq: 314159 INVITE';

function invite(headers: string[] = [VIA, 'Max-Forwards: 70', TO, FROM, CALL_ID, CSEQ], body = ''): string {
  return `INVITE sip:bob@biloxi.com SIP/2.0\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;
}

function ok(result: ParseResult): SipMessage {
  if (!result.ok) throw new Error(`expected a message, got error: ${result.error}`);
  return result.message;
}

function failure(result: ParseResult): { error: string; answerable: boolean } {
  if (result.ok) throw new Error('expected a parse error');
  return { error: result.error, answerable: result.answerable !== undefined };
}

describe('parseMessage: requests and responses', () => {
  it('parses the RFC 3261 §24.2 INVITE with its SDP body', () => {
    const sdp = 'v=0\r\no=alice 2890844526 2890844526 IN IP4 pc33.atlanta.com\r\n';
    const message = ok(parseMessage(invite([VIA, 'Max-Forwards: 70', TO, FROM, CALL_ID, CSEQ, 'Contact: <sip:alice@pc33.atlanta.com>', 'Content-Type: application/sdp', `Content-Length: ${sdp.length}`], sdp)));
    expect(message.type).toBe('request');
    if (message.type !== 'request') return;
    expect(message.method).toBe('INVITE');
    expect(message.uri).toBe('sip:bob@biloxi.com');
    expect(message.headers.get('CSeq')).toBe('314159 INVITE');
    expect(message.headers.get('Contact')).toBe('<sip:alice@pc33.atlanta.com>');
    expect(message.body.toString()).toBe(sdp);
  });

  it('parses a status line, keeping a multi-word reason', () => {
    const message = ok(parseMessage(`SIP/2.0 481 Call/Transaction Does Not Exist\r\n${VIA}\r\n${FROM}\r\n${TO};tag=8321234356\r\n${CALL_ID}\r\nCSeq: 1 BYE\r\n\r\n`));
    expect(message).toMatchObject({ type: 'response', status: 481, reason: 'Call/Transaction Does Not Exist' });
  });

  it('accepts a status line with an empty reason and a lower-case version', () => {
    const message = ok(parseMessage(`sip/2.0 200\r\n${VIA}\r\n${FROM}\r\n${TO}\r\n${CALL_ID}\r\n${CSEQ}\r\n\r\n`));
    expect(message).toMatchObject({ type: 'response', status: 200, reason: '' });
  });

  it('reads compact header forms', () => {
    const message = ok(parseMessage(invite(['v: SIP/2.0/UDP h;branch=z9hG4bK1', 't: <sip:b@h>', 'f: <sip:a@h>;tag=1', 'i: id1', CSEQ, 'm: <sip:a@h>', 'l: 0'])));
    expect(message.headers.entries().map(([n]) => n)).toEqual(['Via', 'To', 'From', 'Call-ID', 'CSeq', 'Contact', 'Content-Length']);
    expect(message.headers.get('Call-ID')).toBe('id1');
  });

  it('joins folded lines (RFC 3261 §7.3.1), with spaces or tabs', () => {
    const message = ok(parseMessage(invite([VIA, TO, FROM, CALL_ID, CSEQ, 'Subject: I know you\'re there,', '      pick up the phone', '\tand talk to me!'])));
    expect(message.headers.get('Subject')).toBe("I know you're there, pick up the phone and talk to me!");
  });

  it('ignores CRLFs before the start line (RFC 3261 §7.5) and tolerates bare LF line ends', () => {
    const message = ok(parseMessage(`\r\n\r\n${invite().replace(/\r\n/g, '\n')}`));
    expect(message.headers.get('Call-ID')).toBe('a84b4c76e66710@pc33.atlanta.com');
  });

  it('reads IPv6 hosts in the Request-URI and Via', () => {
    const text = invite(['Via: SIP/2.0/UDP [::1]:5070;branch=z9hG4bK1;received=::1;rport=5070', TO, FROM, CALL_ID, CSEQ]).replace('sip:bob@biloxi.com', 'sip:bob@[::1]:5060');
    const message = ok(parseMessage(text));
    expect(message.type === 'request' && message.uri).toBe('sip:bob@[::1]:5060');
    expect(parseVia(message.headers.get('Via') ?? '')).toEqual({ protocol: 'SIP/2.0', transport: 'UDP', host: '::1', port: 5070, params: { branch: 'z9hG4bK1', received: '::1', rport: '5070' } });
  });

  it('keeps unknown headers and parameters verbatim', () => {
    const message = ok(parseMessage(invite([VIA + ';x-unknown=Foo;flag', TO, FROM, CALL_ID, CSEQ, 'X-Weird-Header:  a, "b,c" ;p=Q ', 'P-Thing: <sip:x@y>;custom'])));
    expect(message.headers.get('Via')).toBe('SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds;x-unknown=Foo;flag');
    expect(message.headers.get('x-weird-header')).toBe('a, "b,c" ;p=Q');
    expect(message.headers.entries()).toContainEqual(['X-Weird-Header', 'a, "b,c" ;p=Q']);
    expect(message.headers.get('P-Thing')).toBe('<sip:x@y>;custom');
  });

  it('tolerates a missing Max-Forwards', () => {
    expect(parseMessage(invite([VIA, TO, FROM, CALL_ID, CSEQ])).ok).toBe(true);
  });
});

describe('parseMessage: body and Content-Length', () => {
  it('truncates a datagram to Content-Length (RFC 3261 §18.3)', () => {
    const message = ok(parseMessage(invite([VIA, TO, FROM, CALL_ID, CSEQ, 'Content-Length: 4'], 'v=0\r\ngarbage after')));
    expect(message.body.toString()).toBe('v=0\r');
  });

  it('takes the rest of the datagram when Content-Length is missing, and records its length', () => {
    const message = ok(parseMessage(invite([VIA, TO, FROM, CALL_ID, CSEQ], 'hello')));
    expect(message.body.toString()).toBe('hello');
    expect(message.headers.get('Content-Length')).toBe('5');
  });

  it('keeps a binary body byte for byte, in a copy of the input', () => {
    const body = Buffer.from([0, 255, 13, 10, 13, 10, 128]);
    const input = Buffer.concat([Buffer.from(invite([VIA, TO, FROM, CALL_ID, CSEQ, 'Content-Length: 7'])), body]);
    const message = ok(parseMessage(input));
    expect(message.body.equals(body)).toBe(true);
    input.fill(0);
    expect(message.body.equals(body)).toBe(true);
  });

  it('counts Content-Length in bytes, not characters', () => {
    const message = ok(parseMessage(invite([VIA, TO, FROM, CALL_ID, CSEQ, 'Content-Length: 2'], 'é!')));
    expect(message.body.toString()).toBe('é');
  });

  it('rejects a body shorter than Content-Length, answerably', () => {
    expect(failure(parseMessage(invite([VIA, TO, FROM, CALL_ID, CSEQ, 'Content-Length: 50'], 'short')))).toEqual({ error: 'Content-Length larger than body', answerable: true });
  });

  it.each([['abc'], ['-1'], ['1.5'], ['12345678901']])('rejects Content-Length %j', (value) => {
    expect(failure(parseMessage(invite([VIA, TO, FROM, CALL_ID, CSEQ, `Content-Length: ${value}`])))).toEqual({ error: `Bad Content-Length: ${value}`, answerable: true });
  });
});

describe('parseMessage: rejections', () => {
  const mandatory: Array<[string, string]> = [['Via', VIA], ['From', FROM], ['To', TO], ['Call-ID', CALL_ID], ['CSeq', CSEQ]];
  it.each(mandatory)('rejects a request without %s, answerably unless Via is the one missing (RFC 4475 §3.3.1)', (name, line) => {
    const headers = [VIA, TO, FROM, CALL_ID, CSEQ].filter((h) => h !== line);
    expect(failure(parseMessage(invite(headers)))).toEqual({ error: `Missing ${name} header`, answerable: name !== 'Via' });
  });

  it('names every missing mandatory header at once', () => {
    expect(failure(parseMessage(invite([VIA, CSEQ])))).toEqual({ error: 'Missing From, To, Call-ID headers', answerable: true });
  });

  it('rejects a response without Call-ID', () => {
    expect(failure(parseMessage(`SIP/2.0 200 OK\r\n${VIA}\r\n${FROM}\r\n${TO}\r\n${CSEQ}\r\n\r\n`)).error).toBe('Missing Call-ID header');
  });

  it('rejects a CSeq whose method does not match the request method, answerably', () => {
    const text = invite([VIA, TO, FROM, CALL_ID, 'CSeq: 1 INVITE']).replace(/^INVITE/, 'BYE');
    expect(failure(parseMessage(text))).toEqual({ error: 'Bad CSeq: method INVITE does not match request method BYE', answerable: true });
  });

  it.each([['CSeq: abc INVITE', 'Bad CSeq: abc INVITE'], ['CSeq: 4294967296 INVITE', 'Bad CSeq: 4294967296 INVITE'], ['CSeq: 1', 'Bad CSeq: 1']])('rejects %j', (line, error) => {
    expect(failure(parseMessage(invite([VIA, TO, FROM, CALL_ID, line])))).toEqual({ error, answerable: true });
  });

  it('returns an answerable request holding the readable headers', () => {
    const result = parseMessage(invite([VIA, TO, FROM, CALL_ID, 'CSeq: 1 INVITE', 'garbage line']).replace(/^INVITE/, 'INVITE'));
    if (result.ok || result.answerable === undefined) throw new Error('expected an answerable failure');
    expect(result.error).toBe('Malformed header line 6: no colon');
    expect(result.answerable.method).toBe('INVITE');
    expect(result.answerable.headers.get('Call-ID')).toBe('a84b4c76e66710@pc33.atlanta.com');
  });

  it.each([
    ['a header line without a colon', [VIA, TO, 'NoColonHere', FROM, CALL_ID, CSEQ], 'Malformed header line 3: no colon', true],
    ['a header name with a space', [VIA, TO, 'Bad Name: x', FROM, CALL_ID, CSEQ], 'Malformed header line 3: bad header name', true],
    ['a bare CR inside a header', [VIA, TO, 'Subject: a\rb', FROM, CALL_ID, CSEQ], 'Malformed header line 3: bare CR', true],
    ['two Call-ID headers', [VIA, TO, FROM, CALL_ID, 'i: other', CSEQ], 'Multiple Call-ID headers', true],
    ['an unreadable Via', ['Via: garbage', TO, FROM, CALL_ID, CSEQ], 'Bad Via header', true],
    ['an unreadable From', [VIA, TO, 'From: <sip:alice@atlanta.com', CALL_ID, CSEQ], 'Bad From header: no closing >', true],
    ['an unreadable To', [VIA, 'To: "Bob <sip:bob@b>', FROM, CALL_ID, CSEQ], 'Bad To header: unterminated quoted string', true],
    ['a Contact URI with headers outside <>', [VIA, TO, FROM, CALL_ID, CSEQ, 'Contact: sip:bob@b?Route=x'], 'Bad Contact header: URI with headers not enclosed in <>', true],
    ['a Max-Forwards of 256', [VIA, 'Max-Forwards: 256', TO, FROM, CALL_ID, CSEQ], 'Bad Max-Forwards: 256', true],
    ['a non-numeric Max-Forwards', [VIA, 'Max-Forwards: many', TO, FROM, CALL_ID, CSEQ], 'Bad Max-Forwards: many', true],
    ['a continuation before any header', ['  folded', VIA, TO, FROM, CALL_ID, CSEQ], 'Malformed header: continuation line before any header', false],
  ])('rejects %s', (_label, headers, error, answerable) => {
    expect(failure(parseMessage(invite(headers)))).toEqual({ error, answerable });
  });

  it.each([
    ['SIP/1.0 200 OK', 'Bad SIP version: SIP/1.0'],
    ['SIP/2.0 2x0 OK', 'Bad status code: 2x0'],
    ['SIP/2.0 700 Huh', 'Bad status code: 700'],
    ['SIP/2.0 99 Low', 'Bad status code: 99'],
    ['IN"VITE sip:bob@biloxi.com SIP/2.0', 'Bad method: IN"VITE'],
  ])('rejects the start line %j (not answerable)', (startLine, error) => {
    const text = invite().replace(/^[^\r]*/, startLine);
    expect(failure(parseMessage(text))).toEqual({ error, answerable: false });
  });

  it.each([
    ['INVITE sip:bob@biloxi.com HTTP/1.1', 'Bad SIP version: HTTP/1.1'],
    ['INVITE sip:bob@biloxi.com', 'Malformed request line'],
    ['INVITE  SIP/2.0', 'Malformed Request-Line: more than one SP between elements'],
    ['INVITE  sip:bob@biloxi.com  SIP/2.0', 'Malformed Request-Line: more than one SP between elements'],
    ['INVITE sip:bob@biloxi.com SIP/2.0  ', 'Malformed Request-Line: whitespace after the SIP version'],
    ['INVITE sip:bob@biloxi.com; lr SIP/2.0', 'Malformed Request-Line: whitespace inside the Request-URI'],
    ['INVITE <sip:bob@biloxi.com> SIP/2.0', 'Bad Request-URI: enclosed in <>'],
    ['INVITE sip:bob@biloxi.com?Route=%3Csip:example.com%3E SIP/2.0', 'Bad Request-URI: escaped headers are not allowed'],
    ['INVITE bob SIP/2.0', 'Bad Request-URI: bob'],
  ])('rejects the request line %j, answerably with 400 (RFC 4475 §3.1.2.7-11)', (startLine, error) => {
    const result = parseMessage(invite().replace(/^[^\r]*/, startLine));
    expect(failure(result)).toEqual({ error, answerable: true });
    expect(!result.ok && result.status).toBeUndefined();
  });

  it('answers a SIP version other than 2.0 with 505, not 400 (RFC 4475 §3.1.2.16)', () => {
    const result = parseMessage(invite().replace(/^[^\r]*/, 'INVITE sip:bob@biloxi.com SIP/7.0'));
    expect(result).toMatchObject({ ok: false, error: 'Version Not Supported: SIP/7.0', status: 505 });
    expect(!result.ok && result.answerable?.method).toBe('INVITE');
  });

  it('keeps a ? in the user part of a Request-URI: only URI headers are refused (RFC 4475 §3.1.1.2)', () => {
    expect(parseMessage(invite().replace(/^[^\r]*/, "INVITE sip:crazy?,/;;*:&it+has=1@example.com SIP/2.0")).ok).toBe(true);
  });

  it.each([[''], ['\r\n\r\n'], [Buffer.alloc(0)]])('rejects an empty message %j', (input) => {
    expect(failure(parseMessage(input)).error).toBe('Empty message');
  });
});

describe('parseMessage: limits', () => {
  it('rejects a message over 64 KiB, as a string or as bytes', () => {
    const big = invite([VIA, TO, FROM, CALL_ID, CSEQ], 'x'.repeat(PARSER_LIMITS.maxMessageBytes));
    expect(failure(parseMessage(big)).error).toMatch(/^Message too large: \d+ bytes \(limit 65536\)$/);
    expect(failure(parseMessage(Buffer.from(big))).error).toMatch(/^Message too large/);
    const multibyte = invite([VIA, TO, FROM, CALL_ID, CSEQ], 'é'.repeat(40_000));
    expect(failure(parseMessage(multibyte)).error).toMatch(/^Message too large/);
  });

  it('accepts 256 header lines and rejects 257', () => {
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `X-Filler-${i}: ${i}`);
    expect(parseMessage(invite([VIA, TO, FROM, CALL_ID, CSEQ, ...filler(251)])).ok).toBe(true);
    expect(failure(parseMessage(invite([VIA, TO, FROM, CALL_ID, CSEQ, ...filler(252)]))).error).toBe('Too many header lines (limit 256)');
  });

  it('rejects a header line over 8 KiB, physical or folded', () => {
    const limit = PARSER_LIMITS.maxHeaderLineBytes;
    const value = (n: number) => 'a'.repeat(n - 'Subject: '.length);
    expect(parseMessage(invite([VIA, TO, FROM, CALL_ID, CSEQ, `Subject: ${value(limit)}`])).ok).toBe(true);
    expect(failure(parseMessage(invite([VIA, TO, FROM, CALL_ID, CSEQ, `Subject: ${value(limit + 1)}`]))).error).toBe('Header line too long (limit 8192 bytes)');
    const folded = Array.from({ length: 5 }, () => ` ${'b'.repeat(2000)}`);
    expect(failure(parseMessage(invite([VIA, TO, FROM, CALL_ID, CSEQ, 'Subject: x', ...folded]))).error).toBe('Header line too long (limit 8192 bytes)');
  });

  it('stays linear on pathological input near the size limit', () => {
    const shapes = [
      '"'.repeat(8000),
      '<'.repeat(8000),
      ',"\\'.repeat(2600),
      ';'.repeat(8000),
    ];
    const started = performance.now();
    for (const shape of shapes) {
      const lines = Array.from({ length: 7 }, () => `Contact: ${shape}`);
      const result = parseMessage(invite([VIA, TO, FROM, CALL_ID, CSEQ, ...lines]));
      if (result.ok) result.message.headers.getAll('Contact');
    }
    // Quadratic work on 64 KiB would take seconds; linear work takes a few milliseconds.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
