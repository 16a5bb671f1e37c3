import { describe, expect, it } from 'vitest';
import { redactAuthorization } from './redactAuthorization.js';

describe('redactAuthorization', () => {
  it('redacts the response of Authorization and Proxy-Authorization, keeping the rest readable', () => {
    const message =
      'REGISTER sip:127.0.0.1 SIP/2.0\r\n' +
      'Authorization: Digest username="101", realm="127.0.0.1", nonce="abc", uri="sip:127.0.0.1", response="6629fae49393a05397450978507c4ef1", algorithm=MD5\r\n' +
      'Proxy-Authorization: Digest username="101", realm="p", nonce="n", uri="sip:x", response=6629fae4, qop=auth, nc=00000001, cnonce="c"\r\n\r\n';
    const redacted = redactAuthorization(message);
    expect(redacted).not.toContain('6629fae4');
    expect(redacted).toContain('response="[redacted]", algorithm=MD5');
    expect(redacted).toContain('response=[redacted], qop=auth');
    expect(redacted).toContain('username="101", realm="127.0.0.1", nonce="abc"');
  });

  it('redacts a response with escaped quotes entirely', () => {
    expect(redactAuthorization('Digest RESPONSE = "ab\\"cd", x=1')).toBe('Digest RESPONSE = "[redacted]", x=1');
  });

  it('redacts password-looking values in JSON, forms and URIs', () => {
    const text = '{"username":"101","password":"hunter2","server":"127.0.0.1"} password=hunter2&x=1 secret: hunter2 <sip:101:hunter2@127.0.0.1;transport=udp>';
    const redacted = redactAuthorization(text);
    expect(redacted).not.toContain('hunter2');
    expect(redacted).toBe('{"username":"101","password":"[redacted]","server":"127.0.0.1"} password=[redacted]&x=1 secret: [redacted] <sip:101:[redacted]@127.0.0.1;transport=udp>');
  });

  it('leaves messages without secrets unchanged', () => {
    const text = 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\nContact: <sip:101@127.0.0.1:5070>;expires=60\r\nTo: <sip:[::1]:5060>\r\n\r\n';
    expect(redactAuthorization(text)).toBe(text);
  });
});
