import { describe, expect, it } from 'vitest';
import { formatNameAddr, nameAddrDefect, parseNameAddr } from './NameAddr.js';

describe('parseNameAddr', () => {
  it('parses a quoted display name, URI and header params', () => {
    expect(parseNameAddr('"Alice \\"Al\\" Smith" <sip:alice@atlanta.com;transport=tcp>;tag=1928301774;x-p')).toEqual({
      displayName: 'Alice "Al" Smith',
      uri: { scheme: 'sip', user: 'alice', host: 'atlanta.com', params: { transport: 'tcp' }, headers: {} },
      params: { tag: '1928301774', 'x-p': null },
    });
  });

  it('parses an unquoted display name made of tokens', () => {
    expect(parseNameAddr('Bob  Smith <sip:bob@biloxi.com>')).toMatchObject({ displayName: 'Bob Smith', uri: { user: 'bob' } });
  });

  it('parses <uri> without a display name and allows LWS around ;', () => {
    const parsed = parseNameAddr('<sip:carol@chicago.com> ; tag = 8321234356 ; expires=3600');
    expect(parsed).toEqual({ uri: { scheme: 'sip', user: 'carol', host: 'chicago.com', params: {}, headers: {} }, params: { tag: '8321234356', expires: '3600' } });
  });

  it('reads parameters after a bare addr-spec as header parameters (RFC 3261 §20.10)', () => {
    expect(parseNameAddr('sip:carol@chicago.com;tag=abc')).toEqual({ uri: { scheme: 'sip', user: 'carol', host: 'chicago.com', params: {}, headers: {} }, params: { tag: 'abc' } });
  });

  it('keeps a quoted parameter value verbatim', () => {
    expect(parseNameAddr('<sip:a@h>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1')?.params).toEqual({
      '+sip.instance': '"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"', 'reg-id': '1',
    });
  });

  it('parses IPv6 and tel URIs', () => {
    expect(parseNameAddr('<sip:[::1]:5062>')?.uri).toMatchObject({ host: '::1', port: 5062 });
    expect(parseNameAddr('"Desk" <tel:+4930123>;tag=9')).toMatchObject({ displayName: 'Desk', uri: { scheme: 'tel', user: '+4930123' } });
  });

  it.each([['*'], [''], ['"unterminated <sip:a@h>'], ['"Bob" sip:bob@h'], ['<sip:a@h'], ['<sip:a@h>junk'], ['<http://a>'], ['Bo"b <sip:b@h>'], ['sip:a@h?x=y'], ['<sip:a@h>;=1'], ['<sip:a@h>;tag=']])('rejects %j', (text) => {
    expect(parseNameAddr(text)).toBeUndefined();
  });
});

describe('formatNameAddr', () => {
  it('always writes angle brackets and quotes the display name', () => {
    const value = parseNameAddr('sip:carol@chicago.com;tag=abc');
    expect(value && formatNameAddr(value)).toBe('<sip:carol@chicago.com>;tag=abc');
    const named = parseNameAddr('Bob <sip:bob@[::1];transport=tcp>;tag=1');
    expect(named && formatNameAddr(named)).toBe('"Bob" <sip:bob@[::1];transport=tcp>;tag=1');
    expect(formatNameAddr({ displayName: 'a "q" \\ b', uri: { scheme: 'sip', host: 'h', params: {}, headers: {} }, params: {} })).toBe('"a \\"q\\" \\\\ b" <sip:h>');
  });

  it.each([['"Alice \\"Al\\"" <sip:alice@atlanta.com>;tag=1'], ['<sip:a%40b@h;lr>;expires=60;q=0.5'], ['"Jürgen" <tel:+49;phone-context=x>']])('round-trips %j', (text) => {
    const parsed = parseNameAddr(text);
    expect(parsed).toBeDefined();
    if (parsed === undefined) return;
    expect(formatNameAddr(parsed)).toBe(text);
  });

  it.each([
    ['"Mr. J. User <sip:j.user@example.com>', 'unterminated quoted string'],
    ['"Watson, Thomas" < sip:t.watson@example.org >', 'whitespace inside <>'],
    ['Bell, Alexander <sip:a.g.bell@example.com>;tag=43', 'unquoted display name with separators'],
    ['sip:user@example.com?Route=%3Csip:sip.example.com%3E', 'URI with headers not enclosed in <>'],
    ['"Joe" <sip:joe@example.org>;;;;', 'bad parameters'],
  ])('names the defect of %s (RFC 4475 §3.1.2)', (text, defect) => {
    expect(nameAddrDefect(text)).toBe(defect);
    expect(parseNameAddr(text)).toBeUndefined();
  });

  it('finds no defect in the unusual but valid forms of RFC 4475 §3.1.1', () => {
    for (const text of ['caller<sip:caller@example.com>;tag=323', 'isbn:2983792873', '<sip:user@example.com?Route=%3Csip:sip.example.com%3E>', 'sip:+19725552222@gw1.example.net;unknownparam']) expect(nameAddrDefect(text)).toBeUndefined();
  });
});
