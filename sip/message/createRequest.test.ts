import { describe, expect, it } from 'vitest';
import { createRequest } from './createRequest.js';

describe('createRequest', () => {
  it('keeps header order, adds Max-Forwards (RFC 3261 §8.1.1.6) and sets the body', () => {
    const request = createRequest({
      method: 'INVITE',
      uri: 'sip:bob@127.0.0.1',
      headers: [['Via', 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1'], ['To', '<sip:bob@127.0.0.1>'], ['CSeq', 1 + ' INVITE']],
      body: 'v=0\r\n',
      contentType: 'application/sdp',
    });
    expect(request).toMatchObject({ type: 'request', method: 'INVITE', uri: 'sip:bob@127.0.0.1' });
    expect(request.headers.entries()).toEqual([
      ['Via', 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1'], ['To', '<sip:bob@127.0.0.1>'], ['CSeq', '1 INVITE'],
      ['Max-Forwards', '70'], ['Content-Type', 'application/sdp'],
    ]);
    expect(request.body.toString()).toBe('v=0\r\n');
  });

  it('keeps a Max-Forwards the caller chose, and an empty body by default', () => {
    const request = createRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', headers: [['Max-Forwards', 0]] });
    expect(request.headers.getAll('Max-Forwards')).toEqual(['0']);
    expect(request.body.length).toBe(0);
  });

  it('throws on a method or URI that cannot be sent (programmer errors)', () => {
    expect(() => createRequest({ method: 'IN VITE', uri: 'sip:a@h' })).toThrow(TypeError);
    expect(() => createRequest({ method: 'INVITE', uri: 'sip:a@h SIP/2.0' })).toThrow(TypeError);
    expect(() => createRequest({ method: 'INVITE', uri: '' })).toThrow(TypeError);
  });
});
