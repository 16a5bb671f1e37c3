import { describe, expect, it } from 'vitest';
import { createRequest } from './createRequest.js';
import { parseMessage } from './parseMessage.js';
import { serializeMessage } from './serializeMessage.js';
import { SipHeaders } from './SipHeaders.js';
import type { SipMessage } from './SipMessage.js';

const HEADERS: Array<[string, string]> = [
  ['v', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1'],
  ['f', '<sip:a@127.0.0.1>;tag=1'],
  ['t', '<sip:b@127.0.0.1>'],
  ['call-id', 'abc'],
  ['cseq', '1 MESSAGE'],
  ['www-authenticate', 'Digest realm="r", nonce="n"'],
  ['mime-version', '1.0'],
  ['rack', '1 1 INVITE'],
  ['X-Custom', 'kept'],
];

describe('serializeMessage', () => {
  it('writes canonical header names with CRLF line ends', () => {
    const text = serializeMessage({ type: 'request', method: 'MESSAGE', uri: 'sip:b@127.0.0.1', headers: new SipHeaders(HEADERS), body: Buffer.alloc(0) }).toString();
    expect(text).toBe(
      'MESSAGE sip:b@127.0.0.1 SIP/2.0\r\n' +
        'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n' +
        'From: <sip:a@127.0.0.1>;tag=1\r\n' +
        'To: <sip:b@127.0.0.1>\r\n' +
        'Call-ID: abc\r\n' +
        'CSeq: 1 MESSAGE\r\n' +
        'WWW-Authenticate: Digest realm="r", nonce="n"\r\n' +
        'MIME-Version: 1.0\r\n' +
        'RAck: 1 1 INVITE\r\n' +
        'X-Custom: kept\r\n' +
        'Content-Length: 0\r\n' +
        '\r\n',
    );
  });

  it('always writes Content-Length from the body, replacing a stale value in place', () => {
    const headers = new SipHeaders([...HEADERS.slice(0, 3), ['l', '999'], ...HEADERS.slice(3)]);
    const body = Buffer.from([1, 2, 3, 0, 255]);
    const bytes = serializeMessage({ type: 'response', status: 200, reason: 'OK', headers, body });
    const text = bytes.toString('latin1');
    expect(text).toContain('To: <sip:b@127.0.0.1>\r\nContent-Length: 5\r\nCall-ID: abc\r\n');
    expect(text).not.toContain('999');
    expect(bytes.subarray(bytes.length - 5).equals(body)).toBe(true);
    // The caller's headers are not touched.
    expect(headers.get('Content-Length')).toBe('999');
  });

  it('writes a status line', () => {
    const bytes = serializeMessage({ type: 'response', status: 486, reason: 'Busy Here', headers: new SipHeaders(), body: Buffer.alloc(0) });
    expect(bytes.toString()).toBe('SIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n\r\n');
  });

  it('round-trips through parseMessage', () => {
    const request = createRequest({ method: 'MESSAGE', uri: 'sip:b@127.0.0.1', headers: HEADERS, body: 'héllo', contentType: 'text/plain;charset=utf-8' });
    const parsed = parseMessage(serializeMessage(request));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const message: SipMessage = parsed.message;
    expect(message).toMatchObject({ type: 'request', method: 'MESSAGE', uri: 'sip:b@127.0.0.1' });
    expect(message.body.toString()).toBe('héllo');
    expect(message.headers.get('Content-Length')).toBe(String(Buffer.byteLength('héllo')));
    expect(message.headers.entries().filter(([n]) => n !== 'Content-Length')).toEqual(request.headers.entries());
  });
});
