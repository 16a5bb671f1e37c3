import { describe, expect, it } from 'vitest';
import { captureSip, sipCallId } from './capture.js';

describe('capture', () => {
  it('reads the Call-ID of a SIP message, long or compact form, from the header section only', () => {
    expect(sipCallId(Buffer.from('INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP x;branch=z9hG4bK1\r\nCall-ID: abc@127.0.0.1\r\n\r\nCall-ID: not-this'))).toBe('abc@127.0.0.1');
    expect(sipCallId(Buffer.from('SIP/2.0 200 OK\r\ni:  compact-1 \r\n\r\n'))).toBe('compact-1');
    expect(sipCallId(Buffer.from('SIP/2.0 200 OK\r\nX-Call-ID: no\r\n\r\nCall-ID: body'))).toBeUndefined();
  });

  it('turns a stack trace entry into a captured packet', () => {
    const data = Buffer.from('BYE sip:a@b SIP/2.0\r\nCall-ID: c1\r\n\r\n');
    expect(captureSip({ at: 5, direction: 'out', data, local: { protocol: 'TCP', address: '127.0.0.1', port: 1 }, remote: { protocol: 'TCP', address: '127.0.0.1', port: 2 } })).toEqual({
      at: 5,
      kind: 'sip',
      direction: 'out',
      protocol: 'TCP',
      local: { address: '127.0.0.1', port: 1 },
      remote: { address: '127.0.0.1', port: 2 },
      data,
      callId: 'c1',
    });
  });
});
