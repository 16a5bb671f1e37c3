import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../entries.js';
import { callTimeline } from './callViews.js';

const call = { callId: 'call_1', sipCallId: 'abc', connectionId: 'sipconn_1' };
let seq = 0;
const stamp = () => ({ seq: ++seq, at: 1_000 + seq, wall: 1_000 + seq + 0.5 });
const key = (digit: string, method: 'rfc4733' | 'info' = 'rfc4733', heardBy = 'agent'): JournalEntry => ({ ...stamp(), ...call, kind: 'dtmf', digit, method, heardBy });
const heard = (what: string): JournalEntry => ({ ...stamp(), ...call, kind: 'agent.turn', heard: what });

describe('callTimeline', () => {
  it('shows a key the agent heard once, though the agent also took it as a turn', () => {
    const lines = callTimeline([key('5'), heard('DTMF 5'), key('0', 'info'), heard('DTMF 0')]).map((i) => `${i.kind}: ${i.text}`);
    expect(lines).toEqual(['caller: DTMF 5', 'caller: INFO DTMF 0']);
  });

  it('keeps each press of the same key, and the turns that are not keys', () => {
    const entries = [key('1'), heard('DTMF 1'), key('1'), heard('DTMF 1'), heard('caller said "hello"'), heard('DTMF 1')];
    expect(callTimeline(entries).map((i) => i.text)).toEqual(['DTMF 1', 'DTMF 1', 'caller said "hello"', 'DTMF 1']);
  });

  it('keeps a key a softphone heard apart from the agent', () => {
    expect(callTimeline([key('7', 'rfc4733', 'softphone:200'), heard('DTMF 7')]).map((i) => `${i.kind}: ${i.text}`)).toEqual(['media: softphone:200: heard DTMF 7', 'caller: DTMF 7']);
  });
});
