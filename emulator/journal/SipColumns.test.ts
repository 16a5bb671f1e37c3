import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseMessage } from '../../sip/index.js';
import { VirtualClock } from '../core/clock.js';
import { Journal } from './Journal.js';
import { SipColumns } from './SipColumns.js';
import { sipRecorder } from './sipRecorder.js';

const clock = () => new VirtualClock(1_767_225_600_000);
const endpoint = (port: number, protocol: 'UDP' | 'TCP' = 'UDP') => ({ protocol, address: '127.0.0.1', port });
const invite = (callId: string, cseq = 1) =>
  Buffer.from(
    [
      'INVITE sip:101@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-${callId}-${cseq}`,
      'From: <sip:caller@127.0.0.1>;tag=from-1',
      'To: <sip:101@127.0.0.1>',
      `Call-ID: ${callId}`,
      `CSeq: ${cseq}  INVITE`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );

afterEach(() => vi.restoreAllMocks());

describe('SipColumns: the journal SIP messages, kept compact and built when read', () => {
  it('gives a message read later exactly as a subscriber had it when it came, message object or bytes alone', () => {
    const journal = new Journal({ clock: clock(), capacity: 100 });
    const streamed: string[] = [];
    journal.subscribe((entry) => streamed.push(JSON.stringify(entry)), ['sip']);
    const record = sipRecorder(journal, { stack: 'listener', connectionId: 'sipconn_a' });
    const data = invite('call-1');
    const parsed = parseMessage(data);
    if (!parsed.ok) throw new Error(parsed.error);
    record({ at: 1.5, direction: 'in', data, local: endpoint(5062), remote: endpoint(5060), message: parsed.message });
    record({ at: 2.5, direction: 'out', data, local: endpoint(5062, 'TCP'), remote: endpoint(5060, 'TCP') });
    const read = journal.entries().map((entry) => JSON.stringify(entry));
    expect(read).toEqual(streamed);
    expect(JSON.parse(read[0]!)).toMatchObject({ kind: 'sip', party: 'listener:sipconn_a', direction: 'in', transport: 'UDP', sipCallId: 'call-1', cseq: '1 INVITE', branch: 'z9hG4bK-call-1-1', fromTag: 'from-1', wall: 1.5, retransmission: false });
    expect(JSON.parse(read[1]!)).toMatchObject({ direction: 'out', transport: 'TCP', wall: 2.5, retransmission: false });
  });

  it('tells a subscriber that names kinds of those kinds only, and builds no SIP message when nobody wants one', () => {
    const journal = new Journal({ clock: clock(), capacity: 100 });
    const seen: string[] = [];
    journal.subscribe((entry) => seen.push(entry.kind), ['connection']);
    // The journal asks the store for the entry built now (`eager`) only when someone wants it.
    const write = vi.spyOn(SipColumns.prototype as unknown as { write: (...args: unknown[]) => unknown }, 'write');
    const record = sipRecorder(journal, { stack: 'pbx' });
    record({ at: 1, direction: 'in', data: invite('call-1'), local: endpoint(5060), remote: endpoint(5062) });
    journal.record({ kind: 'connection.deleted', connectionId: 'sipconn_a' });
    expect(seen).toEqual(['connection.deleted']);
    expect(write.mock.calls.map((call) => call[3])).toEqual([false]);
    const all: string[] = [];
    journal.subscribe((entry) => all.push(entry.kind));
    record({ at: 2, direction: 'in', data: invite('call-2'), local: endpoint(5060), remote: endpoint(5062) });
    expect(write.mock.calls.map((call) => call[3])).toEqual([false, true]);
    expect(all).toEqual(['sip']);
    expect(journal.entries({ kinds: ['sip'] })).toHaveLength(2);
  });

  it("finds one call's and one connection's messages among thousands, building only those", () => {
    const journal = new Journal({ clock: clock(), capacity: 5000 });
    const parties = ['sipconn_a', 'sipconn_b', 'sipconn_c'].map((connectionId) => sipRecorder(journal, { stack: 'listener', connectionId }));
    for (let i = 0; i < 3000; i++) parties[i % 3]!({ at: i, direction: 'in', data: invite(`call-${i % 30}`, i), local: endpoint(5062), remote: endpoint(5060) });
    const build = vi.spyOn(SipColumns.prototype, 'build');
    const call = journal.entries({ callIds: ['call-7', 'call_not_sip'] });
    expect(call).toHaveLength(100);
    expect(call.every((e) => e.kind === 'sip' && e.sipCallId === 'call-7')).toBe(true);
    expect(build).toHaveBeenCalledTimes(100);
    build.mockClear();
    const connection = journal.entries({ kinds: ['sip'], connectionId: 'sipconn_b' });
    expect(connection).toHaveLength(1000);
    expect(new Set(connection.map((e) => (e.kind === 'sip' ? e.party : '')))).toEqual(new Set(['listener:sipconn_b']));
    expect(build).toHaveBeenCalledTimes(1000);
    build.mockClear();
    expect(journal.entries({ limit: 5 }).map((e) => e.seq)).toEqual([2996, 2997, 2998, 2999, 3000]);
    expect(journal.entries({ since: 2990 })).toHaveLength(10);
    expect(build).toHaveBeenCalledTimes(15);
  });

  it('keeps bytes that do not parse as they came, with the reason, and no retransmission check', () => {
    const journal = new Journal({ clock: clock(), capacity: 10 });
    const record = sipRecorder(journal, { stack: 'pbx' });
    const data = Buffer.from('NOT SIP AT ALL\r\n\r\n');
    record({ at: 1, direction: 'in', data, local: endpoint(5060), remote: endpoint(5062) });
    record({ at: 2, direction: 'in', data, local: endpoint(5060), remote: endpoint(5062) });
    const [first, second] = journal.entries();
    expect(first).toMatchObject({ kind: 'sip', text: 'NOT SIP AT ALL\r\n\r\n', retransmission: false });
    expect((first as { error?: string }).error).toEqual(expect.any(String));
    expect(second).toMatchObject({ retransmission: false });
  });

  it('fills a chunk again once the ring has let go of its messages, and never one an entry was built from', () => {
    const journal = new Journal({ clock: clock(), capacity: 100 });
    const record = sipRecorder(journal, { stack: 'pbx' });
    const fresh = vi.spyOn(Buffer, 'allocUnsafeSlow');
    const send = (from: number, to: number) => {
      for (let i = from; i < to; i++) record({ at: i, direction: 'in', data: invite(`call-${i}`), local: endpoint(5060), remote: endpoint(5062) });
    };
    // About 290 bytes a message: 20,000 of them fill six 1 MiB chunks, in two chunks' memory.
    send(0, 20_000);
    expect(fresh).toHaveBeenCalledTimes(2);
    expect(journal.entries().map((e) => (e.kind === 'sip' ? e.sipCallId : ''))).toEqual(Array.from({ length: 100 }, (_, i) => `call-${19_900 + i}`));

    // An entry read now may be read again later: its chunk is not written over, then or ever.
    const held = journal.entries({ limit: 1 })[0]!;
    send(20_000, 40_000);
    expect((held as { text: string }).text).toBe(invite('call-19999').toString());
    expect(fresh.mock.calls.length).toBeGreaterThan(2);
  });
});
