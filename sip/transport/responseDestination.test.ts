import { describe, expect, it } from 'vitest';
import { createRequest, type SipRequest } from '../message/index.js';
import { addReceivedParams } from './addReceivedParams.js';
import { responseDestination } from './responseDestination.js';
import type { Endpoint } from './SipTransport.js';

function requestWithVia(via: string): SipRequest {
  return createRequest({
    method: 'OPTIONS',
    uri: 'sip:pbx@127.0.0.1',
    headers: [['Via', via], ['Via', 'SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bKolder'], ['From', '<sip:a@127.0.0.1>;tag=1'], ['To', '<sip:b@127.0.0.1>'], ['Call-ID', 'c'], ['CSeq', '1 OPTIONS']],
  });
}

const udpSource: Endpoint = { protocol: 'UDP', address: '127.0.0.3', port: 40000 };

describe('addReceivedParams', () => {
  it('adds received when the sent-by host is not the source address (RFC 3261 §18.2.1)', () => {
    const request = requestWithVia('SIP/2.0/UDP phone.invalid:5070;branch=z9hG4bK1');
    addReceivedParams(request, udpSource);
    expect(request.headers.getAll('Via')).toEqual(['SIP/2.0/UDP phone.invalid:5070;branch=z9hG4bK1;received=127.0.0.3', 'SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bKolder']);
  });

  it('leaves the Via alone when the host is the source and no rport is asked for', () => {
    const request = requestWithVia('SIP/2.0/UDP 127.0.0.3:5070;branch=z9hG4bK1');
    addReceivedParams(request, udpSource);
    expect(request.headers.get('Via')).toBe('SIP/2.0/UDP 127.0.0.3:5070;branch=z9hG4bK1');
  });

  it('fills an empty rport with the source port and adds received even when equal (RFC 3581 §4)', () => {
    const request = requestWithVia('SIP/2.0/UDP 127.0.0.3:5070;rport;branch=z9hG4bK1');
    addReceivedParams(request, udpSource);
    expect(request.headers.get('Via')).toBe('SIP/2.0/UDP 127.0.0.3:5070;rport=40000;branch=z9hG4bK1;received=127.0.0.3');
  });

  it('replaces a received the sender wrote itself, so the response goes back to where the request came from', () => {
    const request = requestWithVia('SIP/2.0/UDP 127.0.0.3:5070;branch=z9hG4bK1;received=192.0.2.7');
    addReceivedParams(request, udpSource);
    expect(request.headers.get('Via')).toBe('SIP/2.0/UDP 127.0.0.3:5070;branch=z9hG4bK1;received=127.0.0.3');
    expect(responseDestination(request, { source: udpSource, flowId: 'f' })).toEqual({ destination: { protocol: 'UDP', address: '127.0.0.3', port: 5070 } });
  });

  it('with forceRport, records the source port even when the Via did not ask, so a UDP response goes back to the source of the packet', () => {
    const request = requestWithVia('SIP/2.0/UDP 192.0.2.15;branch=z9hG4bK1');
    addReceivedParams(request, udpSource, { forceRport: true });
    expect(request.headers.get('Via')).toBe('SIP/2.0/UDP 192.0.2.15;branch=z9hG4bK1;received=127.0.0.3;rport=40000');
    expect(responseDestination(request, { source: udpSource, flowId: 'f' })).toEqual({ destination: udpSource });
  });

  it('with forceRport, replaces an rport value the sender wrote itself', () => {
    const request = requestWithVia('SIP/2.0/UDP 127.0.0.3:5070;rport=9;branch=z9hG4bK1');
    addReceivedParams(request, udpSource, { forceRport: true });
    expect(responseDestination(request, { source: udpSource, flowId: 'f' })).toEqual({ destination: udpSource });
  });

  it('returns undefined for a top Via it cannot parse', () => {
    expect(addReceivedParams(requestWithVia('garbage'), udpSource)).toBeUndefined();
  });
});

describe('responseDestination (RFC 3261 §18.2.2, RFC 3581 §4)', () => {
  const cases: Array<[string, string, Endpoint, { destination: Endpoint; flowId?: string }]> = [
    ['UDP: received and rport', 'SIP/2.0/UDP phone.invalid:5070;rport;branch=z9hG4bK1', udpSource, { destination: { protocol: 'UDP', address: '127.0.0.3', port: 40000 } }],
    ['UDP: received, sent-by port', 'SIP/2.0/UDP phone.invalid:5070;branch=z9hG4bK1', udpSource, { destination: { protocol: 'UDP', address: '127.0.0.3', port: 5070 } }],
    ['UDP: sent-by, default port 5060', 'SIP/2.0/UDP 127.0.0.3;branch=z9hG4bK1', udpSource, { destination: { protocol: 'UDP', address: '127.0.0.3', port: 5060 } }],
    ['TCP: the incoming flow, with sent-by as the fallback', 'SIP/2.0/TCP 127.0.0.3:5070;branch=z9hG4bK1', { ...udpSource, protocol: 'TCP' }, { destination: { protocol: 'TCP', address: '127.0.0.3', port: 5070 }, flowId: 'flow-1' }],
  ];
  it.each(cases)('%s', (_name, via, source, expected) => {
    const request = requestWithVia(via);
    addReceivedParams(request, source);
    expect(responseDestination(request, { source, flowId: 'flow-1' })).toEqual(expected);
  });
});
