import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SipHeaders } from './SipHeaders.js';

describe('SipHeaders', () => {
  it('treats names case-insensitively and compact forms as aliases', () => {
    const h = new SipHeaders([
      ['v', 'SIP/2.0/UDP a;branch=z9hG4bK1'],
      ['i', 'abc@host'],
      ['l', 0],
      ['CALL-id', 'ignored-second'],
      ['k', 'timer'],
      ['o', 'refer'],
      ['x', '1800'],
    ]);
    expect(h.get('via')).toBe('SIP/2.0/UDP a;branch=z9hG4bK1');
    expect(h.get('Call-ID')).toBe('abc@host');
    expect(h.getAll('call-id')).toEqual(['abc@host', 'ignored-second']);
    expect(h.get('content-length')).toBe('0');
    expect(h.get('Supported')).toBe('timer');
    expect(h.get('Event')).toBe('refer');
    expect(h.get('Session-Expires')).toBe('1800');
    expect(h.entries().map(([n]) => n)).toEqual(['Via', 'Call-ID', 'Content-Length', 'Call-ID', 'Supported', 'Event', 'Session-Expires']);
  });

  it('keeps unknown header names as written', () => {
    const h = new SipHeaders([['X-Custom-thing', 'a, b']]);
    expect(h.entries()).toEqual([['X-Custom-thing', 'a, b']]);
    expect(h.get('x-custom-THING')).toBe('a, b');
    expect(h.getAll('x-custom-thing')).toEqual(['a, b']);
  });

  it('splits list headers on commas outside quotes and angle brackets', () => {
    const h = new SipHeaders([
      ['Contact', '"Smith, John" <sip:a,b@h>;q=0.5, <sip:c@h>;expires=60'],
      ['Contact', 'sip:d@h'],
      ['Route', '<sip:p1;lr>,<sip:p2;lr>'],
    ]);
    expect(h.getAll('m')).toEqual(['"Smith, John" <sip:a,b@h>;q=0.5', '<sip:c@h>;expires=60', 'sip:d@h']);
    expect(h.get('Contact')).toBe('"Smith, John" <sip:a,b@h>;q=0.5');
    expect(h.getAll('Route')).toEqual(['<sip:p1;lr>', '<sip:p2;lr>']);
  });

  it('honours escaped quotes when splitting', () => {
    const h = new SipHeaders([['Contact', '"a \\", b" <sip:x@h>, <sip:y@h>']]);
    expect(h.getAll('Contact')).toEqual(['"a \\", b" <sip:x@h>', '<sip:y@h>']);
  });

  it('keeps single-valued headers that contain commas whole', () => {
    const challenge = 'Digest realm="atlanta.com", nonce="84a4cc6f", qop="auth,auth-int", algorithm=MD5';
    const h = new SipHeaders([
      ['WWW-Authenticate', challenge],
      ['WWW-Authenticate', 'Digest realm="atlanta.com", nonce="x", algorithm=SHA-256'],
      ['Authorization', 'Digest username="bob", realm="r", response="abc"'],
      ['Proxy-Authenticate', 'Digest realm="p", nonce="n"'],
      ['Proxy-Authorization', 'Digest username="a", realm="p"'],
      ['Date', 'Sat, 13 Nov 2010 23:29:00 GMT'],
      ['Retry-After', '18000;duration=3600'],
    ]);
    expect(h.get('WWW-Authenticate')).toBe(challenge);
    expect(h.getAll('www-authenticate')).toHaveLength(2);
    expect(h.getAll('Authorization')).toEqual(['Digest username="bob", realm="r", response="abc"']);
    expect(h.getAll('Proxy-Authenticate')).toEqual(['Digest realm="p", nonce="n"']);
    expect(h.getAll('Proxy-Authorization')).toEqual(['Digest username="a", realm="p"']);
    expect(h.get('Date')).toBe('Sat, 13 Nov 2010 23:29:00 GMT');
  });

  it('set replaces every line of a header at the position of the first', () => {
    const h = new SipHeaders([['X-A', '1'], ['Via', 'x'], ['X-B', '2'], ['v', 'y']]);
    h.set('VIA', 'z');
    expect(h.entries()).toEqual([['X-A', '1'], ['Via', 'z'], ['X-B', '2']]);
    h.set('Expires', 3600);
    expect(h.entries()[3]).toEqual(['Expires', '3600']);
  });

  it('append adds after the last line of that header, or at the end', () => {
    const h = new SipHeaders([['Route', '<sip:a;lr>'], ['From', 'f'], ['To', 't']]);
    h.append('Route', '<sip:b;lr>');
    h.append('Call-ID', 'c');
    expect(h.entries()).toEqual([['Route', '<sip:a;lr>'], ['Route', '<sip:b;lr>'], ['From', 'f'], ['To', 't'], ['Call-ID', 'c']]);
  });

  it('prepend adds before the first line of that header, or at the top', () => {
    const h = new SipHeaders([['From', 'f'], ['Via', 'second']]);
    h.prepend('Via', 'first');
    h.prepend('Record-Route', '<sip:p;lr>');
    expect(h.entries()).toEqual([['Record-Route', '<sip:p;lr>'], ['From', 'f'], ['Via', 'first'], ['Via', 'second']]);
    expect(h.get('Via')).toBe('first');
  });

  it('removeFirst drops the top element of a list header, whether it shares a line or not', () => {
    const h = new SipHeaders([['Via', 'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2'], ['Via', 'SIP/2.0/UDP c']]);
    h.removeFirst('Via');
    expect(h.getAll('Via')).toEqual(['SIP/2.0/UDP b;branch=z9hG4bK2', 'SIP/2.0/UDP c']);
    h.removeFirst('v');
    expect(h.entries()).toEqual([['Via', 'SIP/2.0/UDP c']]);
    h.removeFirst('Via');
    expect(h.has('Via')).toBe(false);
    h.removeFirst('Via');
    expect(h.entries()).toEqual([]);
  });

  it('removeFirst skips empty list lines and drops a whole line of a single-valued header', () => {
    const h = new SipHeaders([['Route', ''], ['Route', '<sip:a;lr>, <sip:b;lr>'], ['Date', 'Sat, 13 Nov 2010 23:29:00 GMT'], ['Date', 'x']]);
    h.removeFirst('Route');
    expect(h.getLines('Route')).toEqual(['<sip:b;lr>']);
    h.removeFirst('Date');
    expect(h.getAll('Date')).toEqual(['x']);
  });

  it('remove and has', () => {
    const h = new SipHeaders([['Via', 'a'], ['To', 't'], ['v', 'b']]);
    expect(h.has('v')).toBe(true);
    h.remove('Via');
    expect(h.has('Via')).toBe(false);
    expect(h.entries()).toEqual([['To', 't']]);
    expect(h.get('Via')).toBeUndefined();
    expect(h.getAll('Via')).toEqual([]);
  });

  it('clone is independent of the original', () => {
    const h = new SipHeaders([['Via', 'a, b']]);
    const copy = h.clone();
    copy.removeFirst('Via');
    copy.append('To', 't');
    expect(h.entries()).toEqual([['Via', 'a, b']]);
    expect(copy.entries()).toEqual([['Via', 'b'], ['To', 't']]);
  });

  it('shows its lines in JSON and in console output', () => {
    const h = new SipHeaders([['i', 'abc'], ['Via', 'x']]);
    expect(JSON.parse(JSON.stringify({ headers: h }))).toEqual({ headers: [['Call-ID', 'abc'], ['Via', 'x']] });
    expect(inspect(h)).toBe('SipHeaders [["Call-ID","abc"],["Via","x"]]');
  });

  it('refuses header injection and invalid names (programmer errors)', () => {
    const h = new SipHeaders();
    expect(() => h.set('Subject', 'hi\r\nVia: evil')).toThrow(TypeError);
    expect(() => h.append('Bad Name', 'x')).toThrow(TypeError);
    expect(() => h.prepend('', 'x')).toThrow(TypeError);
    expect(h.entries()).toEqual([]);
  });
});
