import { describe, expect, it } from 'vitest';
import { formatUri, parseUri, type SipUri } from './SipUri.js';

describe('parseUri', () => {
  it('parses user, password, host, port, params and headers', () => {
    expect(parseUri('sips:alice:secret@atlanta.com:5061;transport=tcp;lr;x-Custom=Val?subject=project%20x&priority=urgent')).toEqual({
      scheme: 'sips', user: 'alice', password: 'secret', host: 'atlanta.com', port: 5061,
      params: { transport: 'tcp', lr: null, 'x-Custom': 'Val' },
      headers: { subject: 'project%20x', priority: 'urgent' },
    });
  });

  it('parses a host-only URI and lower-cases the scheme', () => {
    expect(parseUri('SIP:127.0.0.1')).toEqual({ scheme: 'sip', host: '127.0.0.1', params: {}, headers: {} });
  });

  it('strips the brackets of an IPv6 reference', () => {
    expect(parseUri('sip:bob@[::1]:5070;transport=udp')).toMatchObject({ user: 'bob', host: '::1', port: 5070 });
    expect(parseUri('sip:[2001:db8::10]')).toMatchObject({ host: '2001:db8::10' });
  });

  it('decodes an escaped user part and password', () => {
    expect(parseUri('sip:sip%3Auser%40example.com@company.com;other-param=summit')).toMatchObject({ user: 'sip:user@example.com', host: 'company.com', params: { 'other-param': 'summit' } });
    expect(parseUri('sip:%61lice:p%40ss@h')).toMatchObject({ user: 'alice', password: 'p@ss' });
    expect(parseUri('sip:j%C3%BCrgen@h')).toMatchObject({ user: 'jürgen' });
  });

  it('keeps ; and ? that belong to the user part (user-unreserved)', () => {
    expect(parseUri('sip:alice;day=tuesday@atlanta.com')).toMatchObject({ user: 'alice;day=tuesday', host: 'atlanta.com', params: {} });
  });

  it('reads an @ after ? as part of a header, not a user part', () => {
    expect(parseUri('sip:h.com?Replaces=abc@host')).toMatchObject({ host: 'h.com', headers: { Replaces: 'abc@host' } });
  });

  it('parses tel URIs with the number as user and no host', () => {
    expect(parseUri('tel:+1-201-555-0123;phone-context=example.com')).toEqual({ scheme: 'tel', user: '+1-201-555-0123', host: '', params: { 'phone-context': 'example.com' }, headers: {} });
  });

  it.each([
    ['http://example.com'], ['sip:'], ['sip:@h'], ['sip:a b@h'], ['sip:alice@'], ['sip:alice@h:port'], ['sip:h:70000'],
    ['sip:[::1'], ['sip:[::1]x'], ['sip:[zz::1]'], ['sip:a%zz@h'], ['sip:a%@h'], ['sip:%FF@h'], ['sip:h;'], ['sip:h?'],
    ['sip:h;__proto__=x'], ['no-colon'], ['tel:'], ['sip:ho st'], ['sip:h<>'],
  ])('rejects %j', (text) => {
    expect(parseUri(text)).toBeUndefined();
  });
});

describe('formatUri', () => {
  it('re-escapes what the user part may not hold', () => {
    const uri: SipUri = { scheme: 'sip', user: 'sip:user@example.com', host: 'company.com', params: {}, headers: {} };
    expect(formatUri(uri)).toBe('sip:sip%3Auser%40example.com@company.com');
    expect(formatUri({ ...uri, user: 'jürgen ho', password: 'p@ss:w' })).toBe('sip:j%C3%BCrgen%20ho:p%40ss%3Aw@company.com');
    expect(formatUri({ ...uri, user: 'alice;day=tuesday+1' })).toBe('sip:alice;day=tuesday+1@company.com');
  });

  it('brackets IPv6 hosts and writes port, params and headers', () => {
    expect(formatUri({ scheme: 'sip', host: '::1', port: 5060, params: { transport: 'tcp', lr: null }, headers: { subject: 'hi' } })).toBe('sip:[::1]:5060;transport=tcp;lr?subject=hi');
  });

  it('writes tel URIs', () => {
    expect(formatUri({ scheme: 'tel', user: '+15551234', host: '', params: { 'phone-context': 'x' }, headers: {} })).toBe('tel:+15551234;phone-context=x');
  });

  it.each([
    ['sip:alice@atlanta.com'], ['sips:alice:secret@atlanta.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent'],
    ['sip:sip%3Auser%40example.com@company.com;other-param=summit'], ['sip:bob@[::1]:5070'], ['sip:127.0.0.1:5060;maddr=239.255.255.1;ttl=15'],
    ['tel:+1-201-555-0123;phone-context=example.com'], ['sip:j%C3%BCrgen@h'],
  ])('round-trips %j', (text) => {
    const parsed = parseUri(text);
    expect(parsed).toBeDefined();
    if (parsed === undefined) return;
    expect(formatUri(parsed)).toBe(text);
    expect(parseUri(formatUri(parsed))).toEqual(parsed);
  });
});
