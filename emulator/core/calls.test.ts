import { describe, expect, it } from 'vitest';
import { Calls, capturedEndedCalls } from './calls.js';

const packet = (at: number) => ({ at, protocol: 'UDP' as const, source: { address: '127.0.0.1', port: 1 }, destination: { address: '127.0.0.1', port: 2 }, payload: new Uint8Array(10) });

describe('Calls', () => {
  it('is one record per SIP Call-ID, seen from both ends, and tells watchers of each change', () => {
    const calls = new Calls();
    const seen: string[] = [];
    calls.onStateChange((r) => seen.push(r.state));
    const a = calls.open({ callId: 'c1', from: 'caller', to: '101', at: 1 });
    const b = calls.open({ callId: 'c1', from: 'x', to: 'y', connectionId: 'sipconn_1', at: 2 });
    expect(b).toBe(a);
    expect(a.connectionId).toBe('sipconn_1');
    calls.setState(a, 'active', 3);
    calls.setState(a, 'active', 4);
    calls.setState(a, 'ended', 5, 'BYE');
    calls.setState(a, 'active', 6);
    expect(seen).toEqual(['ringing', 'active', 'ended']);
    expect(a).toMatchObject({ answeredAt: 3, endedAt: 5, endReason: 'BYE', state: 'ended' });
  });

  it('keeps packets for the pcap of the latest ended calls only, so a long run stays bounded', () => {
    const calls = new Calls();
    const records = Array.from({ length: capturedEndedCalls + 5 }, (_, i) => {
      const record = calls.open({ callId: `c${i}`, from: 'a', to: 'b', at: i });
      calls.capture(`c${i}`, packet(i));
      return record;
    });
    for (const record of records) calls.setState(record, 'ended', 100);
    expect(calls.captured('c0')).toEqual([]);
    expect(calls.captured('c4')).toEqual([]);
    expect(calls.captured('c5')).toHaveLength(1);
    expect(calls.captured(`c${capturedEndedCalls + 4}`)).toHaveLength(1);
    expect(calls.get(records[0]!.id)).toBeDefined();
  });
});
