import { describe, expect, it } from 'vitest';
import { createRequest } from '../message/index.js';
import { dtmfRelay, parseDtmfRelay } from './dtmfRelay.js';
import { formatSipfrag, parseSipfrag } from './sipfrag.js';

describe('message/sipfrag (RFC 3420) status lines', () => {
  it('reads the status line of a fragment, ignoring the headers after it', () => {
    expect(parseSipfrag('SIP/2.0 180 Ringing\r\nTo: <sip:200@127.0.0.1>\r\n')).toEqual({ statusLine: 'SIP/2.0 180 Ringing', status: 180, reason: 'Ringing' });
    expect(parseSipfrag(Buffer.from('SIP/2.0 603 Declined\n'))).toEqual({ statusLine: 'SIP/2.0 603 Declined', status: 603, reason: 'Declined' });
    expect(parseSipfrag('sip/2.0 200')).toEqual({ statusLine: 'SIP/2.0 200', status: 200, reason: '' });
  });

  it('rejects what is not a response fragment', () => {
    for (const body of ['', 'INVITE sip:a@b SIP/2.0\r\n', 'SIP/2.0 99 Odd', 'SIP/2.0 700 Nope', 'HTTP/1.1 200 OK']) expect(parseSipfrag(body)).toBeUndefined();
  });

  it('formats a status with its standard reason, and round-trips', () => {
    expect(formatSipfrag(100)).toBe('SIP/2.0 100 Trying\r\n');
    expect(formatSipfrag(486)).toBe('SIP/2.0 486 Busy Here\r\n');
    expect(parseSipfrag(formatSipfrag(503, 'PBX down'))?.statusLine).toBe('SIP/2.0 503 PBX down');
    expect(() => formatSipfrag(42)).toThrow(RangeError);
  });
});

describe('application/dtmf-relay INFO bodies', () => {
  const info = (body: string, type = 'application/dtmf-relay') => createRequest({ method: 'INFO', uri: 'sip:a@127.0.0.1', contentType: type, body });

  it('builds the body and content type for dialog.request', () => {
    expect(dtmfRelay('5')).toEqual({ contentType: 'application/dtmf-relay', body: 'Signal=5\r\nDuration=160\r\n' });
    expect(dtmfRelay('a', 100).body).toBe('Signal=A\r\nDuration=100\r\n');
    expect(() => dtmfRelay('x')).toThrow(TypeError);
    expect(() => dtmfRelay('1', 0)).toThrow(RangeError);
  });

  it('reads the signal and duration, leniently about case, spacing and line ends', () => {
    expect(parseDtmfRelay(info('Signal=5\r\nDuration=160\r\n'))).toEqual({ signal: '5', duration: 160 });
    expect(parseDtmfRelay(info('signal = #\nduration= 250'))).toEqual({ signal: '#', duration: 250 });
    expect(parseDtmfRelay(info('Signal=*', 'Application/DTMF-Relay; charset=x'))).toEqual({ signal: '*' });
  });

  it('reads the variants phones send: event numbers 10 and 11 for * and #, bare CR, lower case', () => {
    expect(parseDtmfRelay(info('Signal=10\r\nDuration=80\r\n'))).toEqual({ signal: '*', duration: 80 });
    expect(parseDtmfRelay(info('Signal=11\rDuration=80'))).toEqual({ signal: '#', duration: 80 });
    expect(parseDtmfRelay(info('Signal=d\r\n'))).toEqual({ signal: 'D' });
    expect(parseDtmfRelay(info('Signal=55'))).toBeUndefined();
  });

  it('refuses other content types and bodies without a DTMF signal', () => {
    expect(parseDtmfRelay(info('Signal=5', 'application/dtmf'))).toBeUndefined();
    expect(parseDtmfRelay(info('Duration=160'))).toBeUndefined();
    expect(parseDtmfRelay(info('Signal=Z'))).toBeUndefined();
  });
});
