import { describe, expect, it } from 'vitest';
import type { Entry } from '../entries.js';
import { buildLadder } from './buildLadder.js';
import { bodySummary } from './sdpSummary.js';

const CALLER = '127.0.0.1:40001';
const PBX = '127.0.0.1:5060';
const AGENT = '127.0.0.1:40002';
let seq = 0;
const sip = (party: string, direction: 'in' | 'out', local: string, remote: string, first: string, extra: Partial<Entry> = {}): Entry =>
  ({ seq: ++seq, at: 0, wall: 1000 + seq, kind: 'sip', party, direction, transport: 'UDP', local, remote, text: `${first}\r\nCall-ID: x\r\n\r\n`, retransmission: false, ...extra }) as Entry;

describe('buildLadder', () => {
  it('draws each message once, from the sender, in columns caller, PBX, agent, with the turns on the time line', () => {
    seq = 0;
    const entries = [
      sip('softphone:caller', 'out', CALLER, PBX, 'INVITE sip:101@x SIP/2.0', { method: 'INVITE' }),
      sip('pbx', 'in', PBX, CALLER, 'INVITE sip:101@x SIP/2.0', { method: 'INVITE' }),
      sip('pbx', 'out', PBX, AGENT, 'INVITE sip:101@x SIP/2.0', { method: 'INVITE' }),
      sip('listener:sipconn_1', 'in', AGENT, PBX, 'INVITE sip:101@x SIP/2.0', { method: 'INVITE' }),
      { seq: ++seq, at: 0, wall: 1000 + seq, kind: 'agent.turn', callId: 'call_1', sipCallId: 'x', connectionId: 'sipconn_1', said: 'greeting' } as Entry,
      sip('listener:sipconn_1', 'out', AGENT, PBX, 'SIP/2.0 200 OK', { status: 200, reason: 'OK' }),
      sip('listener:sipconn_1', 'out', AGENT, PBX, 'SIP/2.0 200 OK', { status: 200, reason: 'OK', retransmission: true }),
    ];
    const ladder = buildLadder(entries);
    expect(ladder.columns.map((c) => c.label)).toEqual(['caller', 'PBX', 'agent']);
    expect(ladder.rows.map((r) => (r.type === 'arrow' ? `${r.label} ${r.from}→${r.to}${r.retransmission ? ' ↻' : ''}` : `[${r.column}] ${r.text}`))).toEqual([
      'INVITE 0→1', 'INVITE 1→2', '[2] says greeting', '200 OK 2→1', '200 OK 2→1 ↻',
    ]);
  });

  it('gives a phone outside the emulator a column of its own address', () => {
    seq = 0;
    const ladder = buildLadder([sip('pbx', 'in', PBX, '192.0.2.7:5060', 'OPTIONS sip:x SIP/2.0', { method: 'OPTIONS' })]);
    expect(ladder.columns.map((c) => c.party)).toEqual(['pbx', 'addr:192.0.2.7:5060']);
    expect(ladder.rows).toMatchObject([{ type: 'arrow', from: 1, to: 0, label: 'OPTIONS' }]);
  });
});

describe('bodySummary', () => {
  it('summarises SDP as codec and media address, and a sipfrag as its status line', () => {
    const sdp = 'INVITE sip:a SIP/2.0\r\nContent-Type: application/sdp\r\n\r\nv=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 40000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n';
    expect(bodySummary(sdp)).toBe('PCMA (+1) 127.0.0.1:40000 sendonly');
    expect(bodySummary('NOTIFY sip:a SIP/2.0\r\nContent-Type: message/sipfrag;version=2.0\r\n\r\nSIP/2.0 200 OK\r\n')).toBe('SIP/2.0 200 OK');
    expect(bodySummary('BYE sip:a SIP/2.0\r\nContent-Length: 0\r\n\r\n')).toBeUndefined();
  });
});
