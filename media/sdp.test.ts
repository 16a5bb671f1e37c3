import { describe, expect, it } from 'vitest';
import { buildSdp } from './buildSdp.js';
import { PCMA, PCMU } from './g711.js';
import { answerSdp, negotiateSdp } from './negotiateSdp.js';
import { parseSdp, type SdpAudio } from './parseSdp.js';

function parsed(text: string): SdpAudio {
  const result = parseSdp(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const sdp = (...lines: string[]) => lines.join('\r\n') + '\r\n';

/** An offer as baresip sends it: opus first, PCMU, PCMA, telephone-event on 101. */
const baresipOffer = sdp(
  'v=0',
  'o=- 1718 2718 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 111 0 8 101',
  'a=rtpmap:111 opus/48000/2',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
);

describe('buildSdp', () => {
  it('writes the offer omnisip sends', () => {
    expect(buildSdp({ port: 30000, sessionId: 42, sessionVersion: 1 })).toBe(
      sdp(
        'v=0',
        'o=omnisip 42 1 IN IP4 127.0.0.1',
        's=omnisip',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        'm=audio 30000 RTP/AVP 0 8 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=ptime:20',
        'a=sendrecv',
      ),
    );
  });

  it('can put the peer on hold and leave out telephone-event', () => {
    const text = buildSdp({ port: 30000, direction: 'sendonly', telephoneEventPt: null, codecs: [PCMA] });
    expect(text).toContain('m=audio 30000 RTP/AVP 8\r\n');
    expect(text).toContain('a=sendonly\r\n');
    expect(text).not.toContain('telephone-event');
  });

  it('reads back what it writes', () => {
    expect(parsed(buildSdp({ port: 30002, sessionId: 7, sessionVersion: 9, direction: 'recvonly' }))).toEqual({
      address: '127.0.0.1',
      port: 30002,
      codecs: [
        { payloadType: 0, name: 'PCMU', clockRate: 8000 },
        { payloadType: 8, name: 'PCMA', clockRate: 8000 },
      ],
      telephoneEventPt: 101,
      direction: 'recvonly',
      onHold: false,
      ptime: 20,
      sessionId: '7',
      sessionVersion: 9,
    });
  });
});

describe('parseSdp', () => {
  it('reads codecs in the peer order, apart from telephone-event', () => {
    const audio = parsed(baresipOffer);
    expect(audio.codecs.map((c) => `${c.payloadType} ${c.name}/${c.clockRate}`)).toEqual(['111 opus/48000', '0 PCMU/8000', '8 PCMA/8000']);
    expect(audio).toMatchObject({ address: '127.0.0.1', port: 40000, telephoneEventPt: 101, direction: 'sendrecv', onHold: false });
  });

  it('knows static payload types listed without a=rtpmap, and prefers c= at media level', () => {
    const audio = parsed(sdp('v=0', 'o=- 1 1 IN IP4 127.0.0.2', 's=-', 'c=IN IP4 127.0.0.2', 't=0 0', 'm=audio 5004 RTP/AVP 8 0 18', 'c=IN IP4 127.0.0.3'));
    expect(audio.address).toBe('127.0.0.3');
    expect(audio.codecs.map((c) => c.name)).toEqual(['PCMA', 'PCMU', 'G729']);
    expect(audio.telephoneEventPt).toBeUndefined();
  });

  it('takes c= and direction from the session level when the media level has none', () => {
    const audio = parsed(sdp('v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.4', 't=0 0', 'a=inactive', 'm=audio 5006 RTP/AVP 0'));
    expect(audio).toMatchObject({ address: '127.0.0.4', direction: 'inactive', onHold: true });
  });

  it.each([
    ['a=sendonly', '127.0.0.1', 'sendonly'],
    ['a=inactive', '127.0.0.1', 'inactive'],
    ['a=sendrecv', '0.0.0.0', 'sendonly'],
    ['a=recvonly', '0.0.0.0', 'inactive'],
  ])('reads hold from %s with c=%s', (attribute, address, direction) => {
    const audio = parsed(sdp('v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', `c=IN IP4 ${address}`, 't=0 0', 'm=audio 5008 RTP/AVP 0', attribute));
    expect(audio).toMatchObject({ direction, onHold: true });
  });

  it.each([
    ['text that is not SDP', 'hello', 'sdp-unparsable'],
    ['an SDP without audio', sdp('v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=video 5000 RTP/AVP 96'), 'sdp-no-audio'],
    ['a rejected audio stream', sdp('v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 0 RTP/AVP 0'), 'sdp-no-audio'],
    ['an SDP without c=', sdp('v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 5000 RTP/AVP 0'), 'sdp-no-connection'],
  ])('returns %s as an error value', (_name, text, code) => {
    const result = parseSdp(text);
    expect(!result.ok && result.error.code).toBe(code);
  });
});

describe('negotiateSdp and answerSdp', () => {
  it('picks the first of our codecs that the offer supports, whatever the offer order', () => {
    const offer = parsed(sdp('v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 5000 RTP/AVP 8 0'));
    const ours = negotiateSdp(offer);
    expect(ours.ok && [ours.value.codec.name, ours.value.payloadType]).toEqual(['PCMU', 0]);
    const alawFirst = negotiateSdp(offer, { codecs: [PCMA, PCMU] });
    expect(alawFirst.ok && alawFirst.value.codec.name).toBe('PCMA');
  });

  it('uses the payload type the offer gave a codec, even a dynamic one', () => {
    const offer = parsed(sdp('v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 5000 RTP/AVP 96 97', 'a=rtpmap:96 pcmu/8000', 'a=rtpmap:97 telephone-event/8000'));
    const result = negotiateSdp(offer);
    expect(result.ok && [result.value.codec, result.value.payloadType, result.value.telephoneEventPt]).toEqual([PCMU, 96, 97]);
  });

  it('reports no common codec as a value, naming what the peer offered', () => {
    const offer = parsed(sdp('v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 5000 RTP/AVP 111 9', 'a=rtpmap:111 opus/48000/2'));
    const result = negotiateSdp(offer);
    expect(!result.ok && result.error.code).toBe('sdp-no-common-codec');
    expect(!result.ok && result.error.message).toContain('opus/48000, G722/8000');
    expect(answerSdp(baresipOffer.replace(' 0 8 101', ' 101'), { port: 1 }).ok).toBe(false);
  });

  it.each([
    ['sendrecv', 'sendrecv', 'sendrecv'],
    ['sendonly', 'sendrecv', 'recvonly'],
    ['recvonly', 'sendrecv', 'sendonly'],
    ['inactive', 'sendrecv', 'inactive'],
    ['sendrecv', 'sendonly', 'sendonly'],
    ['sendonly', 'sendonly', 'inactive'],
  ] as const)('answers an offer of %s, when we want %s, with %s', (theirs, wish, answer) => {
    const offer = parsed(baresipOffer.replace('a=sendrecv', `a=${theirs}`));
    const result = negotiateSdp(offer, { direction: wish });
    expect(result.ok && result.value.direction).toBe(answer);
  });

  it('answers with only the common codecs, our order, and telephone-event on the offer payload type', () => {
    const result = answerSdp(baresipOffer.replace(/101/g, '96'), { port: 31000, sessionId: 5, sessionVersion: 5 });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.sdp).toContain('m=audio 31000 RTP/AVP 0 8 96\r\n');
    expect(result.value.sdp).not.toContain('opus');
    expect(result.value.sdp).toContain('a=rtpmap:96 telephone-event/8000\r\n');
    expect(result.value.media).toMatchObject({ payloadType: 0, telephoneEventPt: 96, remote: { address: '127.0.0.1', port: 40000 }, direction: 'sendrecv', onHold: false });
  });

  it('answers a hold (c=0.0.0.0) with recvonly and reports it', () => {
    const result = answerSdp(baresipOffer.replace('c=IN IP4 127.0.0.1', 'c=IN IP4 0.0.0.0'), { port: 31000 });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.sdp).toContain('a=recvonly\r\n');
    expect(result.value.media.onHold).toBe(true);
  });

  it('leaves telephone-event out of the answer when we do not take it', () => {
    const result = answerSdp(baresipOffer, { port: 31000, telephoneEvent: false });
    expect(result.ok && result.value.sdp).not.toContain('telephone-event');
  });
});
