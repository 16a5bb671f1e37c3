import { describe, expect, it } from 'vitest';
import { createRequest, createResponse } from '../message/index.js';
import { parseSessionExpires, retryWithMinSE } from './sessionTimer.js';

const invite = () =>
  createRequest({ method: 'INVITE', uri: 'sip:101@pbx.test', headers: [['From', '<sip:300@pbx.test>;tag=a'], ['To', '<sip:101@pbx.test>'], ['Call-ID', 'c1'], ['CSeq', '1 INVITE'], ['Session-Expires', '90;refresher=uac'], ['Supported', 'timer']], body: 'v=0\r\n', contentType: 'application/sdp' });

describe('session timers (RFC 4028)', () => {
  it('parses Session-Expires and Min-SE values', () => {
    expect(parseSessionExpires('1800;refresher=uac')).toEqual({ seconds: 1800, refresher: 'uac' });
    expect(parseSessionExpires(' 90 ')).toEqual({ seconds: 90 });
    expect(parseSessionExpires('soon')).toBeUndefined();
  });

  it('asks again after a 422 with the Min-SE it names: next CSeq, Session-Expires and Min-SE raised, same Call-ID and body (§7.4)', () => {
    const request = invite();
    const retry = retryWithMinSE(request, createResponse(request, 422, undefined, { toTag: 'p', headers: [['Min-SE', '120']] }));
    expect(retry?.headers.get('CSeq')).toBe('2 INVITE');
    expect(retry?.headers.get('Session-Expires')).toBe('120;refresher=uac');
    expect(retry?.headers.get('Min-SE')).toBe('120');
    expect(retry?.headers.get('Call-ID')).toBe('c1');
    expect(retry?.body.toString()).toBe('v=0\r\n');
  });

  it('does not retry when the 422 names no larger interval, or is no 422', () => {
    const request = invite();
    expect(retryWithMinSE(request, createResponse(request, 422, undefined, { toTag: 'p', headers: [['Min-SE', '90']] }))).toBeUndefined();
    expect(retryWithMinSE(request, createResponse(request, 486, undefined, { toTag: 'p' }))).toBeUndefined();
  });
});
