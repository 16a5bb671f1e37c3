import { describe, expect, it } from 'vitest';
import { seededSource } from '../../random/index.js';
import { Calls, capturedEndedCalls, retainedEndedCalls, type RtpPacketSeen } from './calls.js';
import { Ids } from './ids.js';

const A = { address: '127.0.0.1', port: 40000 };
const B = { address: '127.0.0.1', port: 40002 };
const PEER = { address: '127.0.0.1', port: 50000 };
const seen = (direction: 'in' | 'out', local: typeof A, remote: typeof A, byte = 0): RtpPacketSeen => ({ direction, local, remote, data: new Uint8Array([byte]) });
const calls = () => new Calls(new Ids(seededSource(1)));

describe('Calls', () => {
  it('is one record per SIP Call-ID, seen from both ends, and tells watchers of each change with its reason', () => {
    const registry = calls();
    const changes: string[] = [];
    registry.onStateChange((r, reason) => changes.push(`${r.state}${reason ? ` (${reason})` : ''}`));
    const a = registry.open({ callId: 'c1', from: 'caller', to: '101', at: 1 });
    const b = registry.open({ callId: 'c1', from: 'x', to: 'y', connectionId: 'sipconn_1', at: 2 });
    expect(b).toBe(a);
    expect(a.connectionId).toBe('sipconn_1');
    registry.setState(a, 'active', 3);
    registry.setState(a, 'active', 4);
    registry.setState(a, 'ended', 5, 'BYE');
    registry.setState(a, 'active', 6);
    expect(changes).toEqual(['ringing', 'active', 'ended (BYE)']);
    expect(a).toMatchObject({ answeredAt: 3, endedAt: 5, endReason: 'BYE', state: 'ended' });
  });

  it('keeps RTP for the pcap of the latest ended calls only, so a long run stays bounded', () => {
    const registry = calls();
    const records = Array.from({ length: capturedEndedCalls + 5 }, (_, i) => {
      const record = registry.open({ callId: `c${i}`, from: 'a', to: 'b', at: i });
      registry.captureRtp(`c${i}`, seen('out', A, PEER), i);
      return record;
    });
    for (const record of records) registry.setState(record, 'ended', 100);
    expect(registry.capturedRtp('c0')).toEqual([]);
    expect(registry.capturedRtp('c4')).toEqual([]);
    expect(registry.capturedRtp('c5')).toHaveLength(1);
    expect(registry.capturedRtp(`c${capturedEndedCalls + 4}`)).toHaveLength(1);
    expect(registry.get(records[0]!.id)).toBeDefined();
  });

  it('keeps the records of calls in progress and of the latest ended calls only, so a long run stays bounded', () => {
    const registry = calls();
    const live = registry.open({ callId: 'live', from: 'a', to: 'b', at: 0 });
    const ended = Array.from({ length: retainedEndedCalls + 3 }, (_, i) => {
      const record = registry.open({ callId: `e${i}`, from: 'a', to: 'b', at: i });
      registry.setState(record, 'ended', i + 1);
      return record;
    });
    expect(registry.get(ended[0]!.id)).toBeUndefined();
    expect(registry.findByCallId('e2')).toBeUndefined();
    expect(registry.get(ended[3]!.id)).toBe(ended[3]);
    expect(registry.findByCallId(`e${retainedEndedCalls + 2}`)).toBe(ended[retainedEndedCalls + 2]);
    expect(registry.get(live.id)).toBe(live);
    expect(registry.usage().records).toBe(retainedEndedCalls + 1);
    expect(registry.list()[0]).toBe(live);
  });

  it('keeps each packet once when both ends are omnisip’s: sent by one session, received by the other', () => {
    const registry = calls();
    registry.captureRtp('c', seen('out', A, B, 1), 1);
    registry.captureRtp('c', seen('in', B, A, 1), 1.5);
    registry.captureRtp('c', seen('out', B, A, 2), 2);
    registry.captureRtp('c', seen('in', A, B, 2), 2.5);
    // From a peer that is not ours, what we receive is all there is.
    registry.captureRtp('c', seen('in', A, PEER, 3), 3);
    const packets = registry.capturedRtp('c');
    expect(packets.map((p) => [p.source.port, p.destination.port, p.payload[0], p.at])).toEqual([
      [40000, 40002, 1, 1],
      [40002, 40000, 2, 2],
      [50000, 40000, 3, 3],
    ]);
  });
});
