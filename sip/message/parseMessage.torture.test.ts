/**
 * Cases modelled on the RFC 4475 torture tests: what must parse despite looking odd, and what
 * must be refused with a reason.
 */
import { describe, expect, it } from 'vitest';
import { parseNameAddr } from './NameAddr.js';
import { parseMessage, type ParseResult } from './parseMessage.js';
import { parseCSeq } from './CSeq.js';
import type { SipMessage } from './SipMessage.js';
import { parseUri } from './SipUri.js';
import { parseVia } from './Via.js';

const crlf = (lines: string[]) => lines.join('\r\n');

function ok(result: ParseResult): SipMessage {
  if (!result.ok) throw new Error(`expected a message, got: ${result.error}`);
  return result.message;
}

describe('RFC 4475-style valid messages', () => {
  it('parses a short tortuous INVITE (§3.1.1.1)', () => {
    const body = 'v=0\r\no=carol 1 1 IN IP4 192.0.2.3\r\ns=-\r\nc=IN IP4 192.0.2.4\r\nt=0 0\r\nm=audio 49217 RTP/AVP 0\r\n';
    const text = crlf([
      'INVITE sip:carol@chair.example.com;unknownparam SIP/2.0',
      'TO :',
      ' sip:carol@chair.example.com ;   tag    = 1918181833n',
      'from   : "Dave \\\\\\""       <sip:dave@example.com>',
      '  ;',
      '  tag = 98asjd8',
      'MaX-fOrWaRdS: 0068',
      'Call-ID: tort.1@192.0.2.1',
      `Content-Length   : ${body.length}`,
      'cseq: 0009',
      '  INVITE',
      'Via  : SIP  /   2.0',
      ' /UDP',
      '    192.0.2.2;branch=390skdjuw',
      's :',
      'NewFangledHeader:   newfangled value',
      ' continued newfangled value',
      'UnknownHeaderWithUnusualValue: ;;,,;;,;',
      'Content-Type: application/sdp',
      'Route:',
      ' <sip:services.example.com;lr;unknownwith=value;unknown-no-value>',
      'v:  SIP  / 2.0  / TCP     spindle.example.com   ;',
      '  branch  =   z9hG4bK9ikj8  ,',
      ' SIP  /    2.0   / UDP  192.168.255.111   ; branch=',
      ' z9hG4bK30239',
      'm:"Quoted string \\"\\"" <sip:dave@example.com> ; newparam =',
      '      newvalue ;',
      '  secondparam ; q = 0.33',
      '',
      body,
    ]);
    const message = ok(parseMessage(text));
    const { headers } = message;
    expect(parseNameAddr(headers.get('To') ?? '')?.params).toEqual({ tag: '1918181833n' });
    expect(parseNameAddr(headers.get('From') ?? '')).toMatchObject({ displayName: 'Dave \\"', params: { tag: '98asjd8' } });
    expect(headers.get('Max-Forwards')).toBe('0068');
    expect(parseCSeq(headers.get('CSeq') ?? '')).toEqual({ seq: 9, method: 'INVITE' });
    expect(headers.get('Subject')).toBe('');
    expect(headers.get('NewFangledHeader')).toBe('newfangled value continued newfangled value');
    expect(headers.get('UnknownHeaderWithUnusualValue')).toBe(';;,,;;,;');
    expect(headers.getAll('Via').map((v) => parseVia(v))).toEqual([
      { protocol: 'SIP/2.0', transport: 'UDP', host: '192.0.2.2', params: { branch: '390skdjuw' } },
      { protocol: 'SIP/2.0', transport: 'TCP', host: 'spindle.example.com', params: { branch: 'z9hG4bK9ikj8' } },
      { protocol: 'SIP/2.0', transport: 'UDP', host: '192.168.255.111', params: { branch: 'z9hG4bK30239' } },
    ]);
    expect(parseNameAddr(headers.get('Contact') ?? '')).toMatchObject({ displayName: 'Quoted string ""', params: { newparam: 'newvalue', secondparam: null, q: '0.33' } });
    expect(parseNameAddr(headers.get('Route') ?? '')?.uri.params).toEqual({ lr: null, unknownwith: 'value', 'unknown-no-value': null });
    expect(message.body.toString()).toBe(body);
  });

  it('accepts any token as a method, with a matching CSeq (§3.1.1.2)', () => {
    const method = "!interesting-Method0123456789_*+`.%indeed'~";
    const message = ok(parseMessage(crlf([`${method} sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0`, 'Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`\'~', 'To: "BEL:\\\u0007 NUL:\\\u0000 DEL:\\\u007f" <sip:1_unusual.URI~(to-be!sure)&isn\'t+it$/crazy?,/;;*@example.com>', "From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"\u0440\u0430\u0431\u043e\u0442\u0430\u044e\u0449\u0438\u0439\";tag=_token~1'+`*%!-.", 'Call-ID: intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{', `CSeq: 139122385 ${method}`, 'Max-Forwards: 255', '', ''])));
    expect(message.type === 'request' && message.method).toBe(method);
    expect(parseNameAddr(message.headers.get('From') ?? '')).toMatchObject({ displayName: "token1~` token2'+_ token3*%!.-", params: { tag: "_token~1'+`*%!-." } });
  });

  it('decodes escaped and NUL-escaped user parts (§3.1.1.3, §3.1.1.4)', () => {
    const message = ok(parseMessage(crlf(['INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0', 'To: sip:%75se%72@example.com', 'From: <sip:I%20have%20spaces@example.net>;tag=938', 'Max-Forwards: 87', 'i: esc01.239409asdfakjkn23onasd0-3234', 'CSeq: 234234 INVITE', 'Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw', 'Contact: <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>', '', ''])));
    expect(message.type === 'request' && parseUri(message.uri)).toMatchObject({ user: 'sips:user@example.com', host: 'example.net' });
    expect(parseNameAddr(message.headers.get('To') ?? '')?.uri.user).toBe('user');
    expect(parseNameAddr(message.headers.get('From') ?? '')?.uri.user).toBe('I have spaces');
    expect(parseUri('sip:null-%00-null@example.com')?.user).toBe('null-\u0000-null');
  });

  it('accepts unknown URI schemes in the Request-URI and in To/From/Contact (§3.1.1.10-12)', () => {
    const message = ok(parseMessage(crlf(['OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0', 'To: isbn:2983792873', 'From: <http://www.example.com>;tag=3234233', 'Call-ID: unksm2.daksdj@hyphenated-host.example.com', 'CSeq: 234902 OPTIONS', 'Max-Forwards: 70', 'Via: SIP/2.0/UDP 192.0.2.21:5060;branch=z9hG4bKkdjuw', 'Contact: <name:John_Smith>', 'l: 0', '', ''])));
    expect(message.type === 'request' && message.uri).toBe('soap.beep://192.0.2.103:3002');
  });

  it('keeps ; in a user part and unknown transports in Via (§3.1.1.8, §3.1.1.9)', () => {
    const message = ok(parseMessage(crlf(['OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0', 'To: sip:j_user@example.com', 'From: sip:caller@example.org;tag=33242', 'Max-Forwards: 3', 'Call-ID: semiuri.0ha0isndaksdj', 'CSeq: 8 OPTIONS', 'Via: SIP/2.0/SCTP t3.example.com;branch=z9hG4bKkdjuw', 'Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bK9k', 'l: 0', '', ''])));
    expect(message.type === 'request' && parseUri(message.uri)).toMatchObject({ user: 'user;par=u@example.net', host: 'example.com', params: {} });
    expect(message.headers.getAll('Via').map((v) => parseVia(v)?.transport)).toEqual(['SCTP', 'UNKNOWN']);
  });

  it('takes only Content-Length bytes of a datagram holding two requests (§3.1.1.13)', () => {
    const second = 'INVITE sip:joe@example.com SIP/2.0\r\nTo: sip:joe@example.com\r\n\r\n';
    const message = ok(parseMessage(crlf(['REGISTER sip:example.com SIP/2.0', 'To: sip:j.user@example.com', 'From: sip:j.user@example.com;tag=43251j3j324', 'Max-Forwards: 8', 'I: dblreq.0ha0isndaksdj99sdfafnl3lk233412', 'Contact: sip:j.user@host.example.com', 'CSeq: 8 REGISTER', 'Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492', 'Content-Length: 0', '', second])));
    expect(message.body.length).toBe(0);
  });

  it('reads reason phrases with UTF-8 and none at all (§3.1.1.14, §3.1.1.15)', () => {
    const headers = ['Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923', 'Call-ID: unreason.1234ksdfak3j2erwedfsASdf', 'CSeq: 35 INVITE', 'From: sip:user@example.com;tag=11141343', 'To: sip:user@example.edu;tag=2229', 'Content-Length: 0', '', ''];
    expect(ok(parseMessage(crlf(['SIP/2.0 200 = 2**3 * 5**2 но сто девяносто девять - простое', ...headers])))).toMatchObject({ status: 200, reason: '= 2**3 * 5**2 но сто девяносто девять - простое' });
    expect(ok(parseMessage(crlf(['SIP/2.0 100 ', ...headers])))).toMatchObject({ status: 100, reason: '' });
  });
});

describe('RFC 4475-style invalid messages', () => {
  const base = ['Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw', 'To: sip:user@example.com', 'From: sip:caller@example.net;tag=134161461246', 'Max-Forwards: 7', 'Call-ID: bad.0ha0isndaksdj', 'CSeq: 8 OPTIONS'];
  const options = (lines: string[], start = 'OPTIONS sip:user@example.com SIP/2.0') => crlf([start, ...lines, '', '']);

  it.each([
    ['an extra-large Content-Length (§3.1.2.2)', options([...base, 'Content-Length: 9999']), 'Content-Length larger than body'],
    ['a negative Content-Length (§3.1.2.3)', options([...base, 'Content-Length: -999']), 'Bad Content-Length: -999'],
    ['a Max-Forwards over 255 (§3.1.2.4)', options([...base.filter((h) => !h.startsWith('Max')), 'Max-Forwards: 300']), 'Bad Max-Forwards: 300'],
    ['a huge CSeq (§3.1.2.5)', options([...base.filter((h) => !h.startsWith('CSeq')), 'CSeq: 36893488147419103232 OPTIONS']), 'Bad CSeq: 36893488147419103232 OPTIONS'],
    ['an unterminated quoted display name (§3.1.2.6)', options([...base.filter((h) => !h.startsWith('To')), 'To: "Mr. J. User <sip:j.user@example.com>']), 'Bad To header: unterminated quoted string'],
    ['an unquoted display name with a comma (§3.1.2.16)', options([...base.filter((h) => !h.startsWith('From')), 'From: Bell, Alexander <sip:a.g.bell@example.com>;tag=43']), 'Bad From header: unquoted display name with separators'],
    ['two Content-Length values (§3.1.2.11)', options([...base, 'Content-Length: 0', 'Content-Length: 2']), 'Multiple Content-Length headers'],
    ['a CSeq method that does not match (§3.3.1)', options(base, 'INVITE sip:user@example.com SIP/2.0'), 'Bad CSeq: method OPTIONS does not match request method INVITE'],
  ])('refuses %s, answerably', (_label, text, error) => {
    const result = parseMessage(text);
    expect(result).toMatchObject({ ok: false, error });
    expect(!result.ok && result.answerable !== undefined).toBe(true);
  });

  it.each([
    ['a Request-URI in angle brackets (§3.1.2.7)', options(base, 'OPTIONS <sip:user@example.com> SIP/2.0'), 'Bad Request-URI: enclosed in <>'],
    ['LWS inside the Request-URI (§3.1.2.8)', options(base, 'OPTIONS sip:user@example.com; lr SIP/2.0'), 'Malformed Request-Line: whitespace inside the Request-URI'],
    ['trailing SP on the request line (§3.1.2.10)', options(base, 'OPTIONS sip:user@example.com SIP/2.0 '), 'Malformed Request-Line: whitespace after the SIP version'],
    ['an unknown protocol version (§3.1.2.15)', options(base, 'OPTIONS sip:user@example.com SIP/7.0'), 'Version Not Supported: SIP/7.0'],
    ['missing Call-ID, From and To (§3.1.2.18)', options(base.filter((h) => !/^(Call-ID|From|To)/.test(h))), 'Missing From, To, Call-ID headers'],
  ])('refuses %s, answerably', (_label, text, error) => {
    const result = parseMessage(text);
    expect(result).toMatchObject({ ok: false, error });
    expect(!result.ok && result.answerable !== undefined).toBe(true);
  });

  it('refuses a status code out of range (§3.1.2.19), and a response is never answered', () => {
    expect(parseMessage(crlf(['SIP/2.0 4294967301 better not break the receiver', ...base, '', '']))).toEqual({ ok: false, error: 'Bad status code: 4294967301' });
  });
});
