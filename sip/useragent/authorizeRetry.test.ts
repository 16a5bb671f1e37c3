import { describe, expect, it } from 'vitest';
import { DigestClient, DigestServer, formatChallenge, parseCredentials } from '../digest/index.js';
import { createRequest, createResponse, type SipRequest } from '../message/index.js';
import { authorizeRetry } from './authorizeRetry.js';

const server = new DigestServer({ realm: 'pbx.test' });
const client = new DigestClient('101', 'secret', { cnonce: () => '0a4f113b' });

function invite(): SipRequest {
  const request = createRequest({
    method: 'INVITE',
    uri: 'sip:200@pbx.test',
    headers: [['Via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKfirst;rport'], ['From', '<sip:101@pbx.test>;tag=abc'], ['To', '<sip:200@pbx.test>'], ['Call-ID', 'call-1'], ['CSeq', '1 INVITE'], ['Contact', '<sip:101@127.0.0.1:5070>']],
    body: 'v=0\r\n',
    contentType: 'application/sdp',
  });
  return request;
}

function challenge(status: 401 | 407, stale = false) {
  const name = status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
  return createResponse(invite(), status, undefined, { toTag: 'pbx', headers: server.challenge({ stale }).map((c): [string, string] => [name, formatChallenge(c)]) });
}

describe('authorizeRetry (RFC 3261 §8.1.3.5, §22.3)', () => {
  it('answers a 407 with the next CSeq, the same Call-ID, From tag, To and body, and a valid Proxy-Authorization', () => {
    const first = invite();
    const retry = authorizeRetry(first, challenge(407), client);
    expect(retry).toBeDefined();
    const { headers } = retry!.request;
    expect(headers.get('CSeq')).toBe('2 INVITE');
    expect(headers.get('Call-ID')).toBe('call-1');
    expect(headers.get('From')).toBe('<sip:101@pbx.test>;tag=abc');
    expect(headers.get('To')).toBe('<sip:200@pbx.test>');
    expect(retry!.request.body.toString()).toBe('v=0\r\n');
    expect(headers.has('Authorization')).toBe(false);
    const credentials = parseCredentials(headers.get('Proxy-Authorization') ?? '');
    expect(credentials).toMatchObject({ username: '101', realm: 'pbx.test', uri: 'sip:200@pbx.test' });
    expect(server.verify(credentials!, 'INVITE', 'secret')).toBe('ok');
    expect(server.verify(credentials!, 'INVITE', 'wrong')).toBe('invalid');
    // The original is untouched: its transaction may still be retransmitting or be CANCELled.
    expect(first.headers.get('CSeq')).toBe('1 INVITE');
    expect(first.headers.has('Proxy-Authorization')).toBe(false);
  });

  it('answers a 401 with Authorization', () => {
    const retry = authorizeRetry(invite(), challenge(401), client);
    expect(retry?.request.headers.has('Authorization')).toBe(true);
    expect(retry?.request.headers.has('Proxy-Authorization')).toBe(false);
  });

  it('replaces the earlier credentials, and gives up on a second challenge unless its nonce went stale', () => {
    const first = authorizeRetry(invite(), challenge(407), client)!;
    expect(authorizeRetry(first.request, challenge(407), client, first.challenge)).toBeUndefined();
    const stale = authorizeRetry(first.request, challenge(407, true), client, first.challenge);
    expect(stale?.request.headers.get('CSeq')).toBe('3 INVITE');
    expect(stale?.request.headers.getAll('Proxy-Authorization')).toHaveLength(1);
  });

  it('gives up on a response that is no challenge, or has no Digest challenge it can answer', () => {
    expect(authorizeRetry(invite(), createResponse(invite(), 403, undefined, { toTag: 'x' }), client)).toBeUndefined();
    expect(authorizeRetry(invite(), createResponse(invite(), 407, undefined, { toTag: 'x', headers: [['Proxy-Authenticate', 'Basic realm="x"']] }), client)).toBeUndefined();
  });
});
