import { describe, expect, it } from 'vitest';
import { createRequest } from './createRequest.js';
import { createResponse } from './createResponse.js';
import { parseNameAddr } from './NameAddr.js';

function invite(to = 'Bob <sip:bob@127.0.0.1>', extra: Array<[string, string]> = []) {
  return createRequest({
    method: 'INVITE',
    uri: 'sip:bob@127.0.0.1',
    headers: [
      ['Via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKtop;rport=5070;received=127.0.0.1'],
      ['Via', 'SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKa, SIP/2.0/TCP 127.0.0.1:5090;branch=z9hG4bKb'],
      ['From', '"Alice" <sip:alice@127.0.0.1>;tag=1928301774'],
      ['To', to],
      ['Call-ID', 'a84b4c76e66710@127.0.0.1'],
      ['CSeq', '314159 INVITE'],
      ['Contact', '<sip:alice@127.0.0.1:5070>'],
      ...extra,
    ],
    body: 'v=0\r\n',
    contentType: 'application/sdp',
  });
}

describe('createResponse (RFC 3261 §8.2.6)', () => {
  it('copies every Via line in order, From, To, Call-ID and CSeq, and nothing else', () => {
    const request = invite();
    const response = createResponse(request, 486);
    expect(response).toMatchObject({ type: 'response', status: 486, reason: 'Busy Here' });
    expect(response.headers.entries()).toEqual([
      ['Via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKtop;rport=5070;received=127.0.0.1'],
      ['Via', 'SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKa, SIP/2.0/TCP 127.0.0.1:5090;branch=z9hG4bKb'],
      ['From', '"Alice" <sip:alice@127.0.0.1>;tag=1928301774'],
      ['To', 'Bob <sip:bob@127.0.0.1>'],
      ['Call-ID', 'a84b4c76e66710@127.0.0.1'],
      ['CSeq', '314159 INVITE'],
    ]);
    expect(response.body.length).toBe(0);
  });

  it('adds a To tag when the request has none', () => {
    const response = createResponse(invite(), 200, undefined, { toTag: 'as83kd9bs' });
    expect(response.headers.get('To')).toBe('Bob <sip:bob@127.0.0.1>;tag=as83kd9bs');
    expect(parseNameAddr(response.headers.get('To') ?? '')?.params['tag']).toBe('as83kd9bs');
  });

  it('keeps an existing To tag (in-dialog request)', () => {
    const response = createResponse(invite('<sip:bob@127.0.0.1>;tag=existing'), 200, 'Fine', { toTag: 'new' });
    expect(response.headers.get('To')).toBe('<sip:bob@127.0.0.1>;tag=existing');
    expect(response.reason).toBe('Fine');
  });

  it('recognises a tag on a To it cannot parse as a SIP URI', () => {
    expect(createResponse(invite('<urn:service:sos>;TAG=x'), 200, undefined, { toTag: 'y' }).headers.get('To')).toBe('<urn:service:sos>;TAG=x');
    expect(createResponse(invite('<urn:service:sos>'), 200, undefined, { toTag: 'y' }).headers.get('To')).toBe('<urn:service:sos>;tag=y');
  });

  it('copies Timestamp into a 100 only (RFC 3261 §8.2.6.1)', () => {
    const request = invite(undefined, [['Timestamp', '54']]);
    expect(createResponse(request, 100).headers.get('Timestamp')).toBe('54');
    expect(createResponse(request, 180).headers.has('Timestamp')).toBe(false);
  });

  it('appends extra headers and a body', () => {
    const response = createResponse(invite(), 200, undefined, { toTag: 't', headers: [['Contact', '<sip:bob@127.0.0.1>'], ['Allow', 'INVITE, ACK, BYE']], body: 'v=0\r\n', contentType: 'application/sdp' });
    expect(response.headers.getAll('Allow')).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(response.headers.get('Content-Type')).toBe('application/sdp');
    expect(response.body.toString()).toBe('v=0\r\n');
  });

  it('throws on an impossible status (programmer error)', () => {
    expect(() => createResponse(invite(), 99)).toThrow(RangeError);
    expect(() => createResponse(invite(), 700)).toThrow(RangeError);
    expect(() => createResponse(invite(), 200.5)).toThrow(RangeError);
  });
});
