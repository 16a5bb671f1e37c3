import { describe, expect, it } from 'vitest';
import { stripTelephoneEvent } from './dtmfQuirk.js';

describe('stripTelephoneEvent (the dtmf: infoOnly quirk)', () => {
  it('removes the telephone-event payload types from the m= line, with their rtpmap and fmtp lines', () => {
    const offer = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0 8 101 96', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=rtpmap:96 telephone-event/16000', 'a=sendrecv', ''].join('\r\n');
    expect(stripTelephoneEvent(offer)).toBe(['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0 8', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=sendrecv', ''].join('\r\n'));
  });

  it('leaves an SDP without telephone-event as it is', () => {
    const sdp = 'v=0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
    expect(stripTelephoneEvent(sdp)).toBe(sdp);
  });
});
