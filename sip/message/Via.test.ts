import { describe, expect, it } from 'vitest';
import { formatVia, parseVia } from './Via.js';

describe('parseVia', () => {
  it('parses protocol, transport, sent-by and params', () => {
    expect(parseVia('SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;rport;received=192.0.2.1;x-Foo=Bar')).toEqual({
      protocol: 'SIP/2.0', transport: 'UDP', host: 'pc33.atlanta.com', port: 5066,
      params: { branch: 'z9hG4bK776asdhds', rport: null, received: '192.0.2.1', 'x-Foo': 'Bar' },
    });
  });

  it('tolerates LWS around / and ; and upper-cases the transport', () => {
    expect(parseVia(' SIP / 2.0 / tcp 127.0.0.1 ; branch=z9hG4bK1 ')).toEqual({ protocol: 'SIP/2.0', transport: 'TCP', host: '127.0.0.1', params: { branch: 'z9hG4bK1' } });
  });

  it('parses IPv6 sent-by and an IPv6 received param', () => {
    expect(parseVia('SIP/2.0/UDP [::1]:5070;branch=z9hG4bK2;received=::1;rport=5070')).toEqual({
      protocol: 'SIP/2.0', transport: 'UDP', host: '::1', port: 5070, params: { branch: 'z9hG4bK2', received: '::1', rport: '5070' },
    });
  });

  it.each([['garbage'], ['SIP/2.0/UDP'], ['SIP/2.0 h;branch=x'], ['SIP/2.0/UDP h:99999'], ['SIP/2.0/UDP [::1;branch=x'], ['SIP/2.0/UDP h;branch='], ['SIP/2.0/UDP h;;x'], ['SIP/2.0/U"DP h']])('rejects %j', (text) => {
    expect(parseVia(text)).toBeUndefined();
  });
});

describe('formatVia', () => {
  it('brackets IPv6 hosts and writes flag params bare', () => {
    expect(formatVia({ protocol: 'SIP/2.0', transport: 'UDP', host: '::1', port: 5060, params: { branch: 'z9hG4bKx', rport: null } })).toBe('SIP/2.0/UDP [::1]:5060;branch=z9hG4bKx;rport');
  });

  it.each([['SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc;rport=5060;received=127.0.0.1'], ['SIP/2.0/TCP client.biloxi.example.com;branch=z9hG4bK1;x'], ['SIP/2.0/UDP [2001:db8::9]:5062;branch=z9hG4bK3']])('round-trips %j', (text) => {
    const via = parseVia(text);
    expect(via && formatVia(via)).toBe(text);
  });
});
