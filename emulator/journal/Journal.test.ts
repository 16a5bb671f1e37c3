import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock.js';
import { Journal } from './Journal.js';
import { sipRecorder } from './sipRecorder.js';

const clock = () => new VirtualClock(1_767_225_600_000);
const endpoint = (port: number) => ({ protocol: 'UDP' as const, address: '127.0.0.1', port });
const register = (authorization: string) =>
  Buffer.from(
    [
      'REGISTER sip:r SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKabc;rport',
      'From: <sip:101@r>;tag=f1',
      'To: <sip:101@r>',
      'Call-ID: reg-1',
      'CSeq: 2 REGISTER',
      `Authorization: ${authorization}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );

describe('Journal', () => {
  it('stamps each entry with a sequence number and both clocks, and keeps the latest `capacity`', () => {
    const c = clock();
    const journal = new Journal({ clock: c, capacity: 3 });
    for (let i = 0; i < 5; i++) {
      c.advance(1000);
      journal.record({ kind: 'clock.advanced', byMs: 1000, now: c.now() });
    }
    const kept = journal.entries();
    expect(kept.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(kept[0]).toMatchObject({ at: 1_767_225_603_000, kind: 'clock.advanced' });
    expect(kept[0]!.wall).toBeGreaterThan(1_700_000_000_000);
    expect(journal.lastSeq).toBe(5);
  });

  it('knows a retransmission among the latest 20,000 message identities, and forgets older ones in order', () => {
    const journal = new Journal({ clock: clock(), capacity: 10 });
    expect(journal.seenBefore('first')).toBe(false);
    expect(journal.seenBefore('first')).toBe(true);
    for (let i = 0; i < 19_999; i++) journal.seenBefore(`id-${i}`);
    expect(journal.seenBefore('first')).toBe(true);
    journal.seenBefore('one more');
    expect(journal.seenBefore('id-19998')).toBe(true);
    expect(journal.seenBefore('first')).toBe(false);
    // Remembering 'first' again forgot the next oldest.
    expect(journal.seenBefore('id-0')).toBe(false);
    expect(journal.seenBefore('id-1')).toBe(false);
    expect(journal.seenBefore('id-19998')).toBe(true);
  });

  it('drops the oldest entries when the kept SIP messages pass the byte budget', () => {
    const journal = new Journal({ clock: clock(), capacity: 1000, maxBytes: 10_000 });
    const record = sipRecorder(journal, { stack: 'pbx' });
    const data = register('Digest username="101"');
    for (let i = 0; i < 40; i++) record({ at: i, direction: 'in', data, local: endpoint(5060), remote: endpoint(5062 + i) });
    const kept = journal.entries();
    expect(kept.length).toBeLessThan(40);
    expect(kept.length * (data.length + 256)).toBeLessThanOrEqual(10_000);
    expect(kept.at(-1)?.seq).toBe(40);
  });

  it('gives back each SIP message as it was sent or received, across the chunks the bytes are kept in, and a big one whole', () => {
    const journal = new Journal({ clock: clock(), capacity: 5000, maxBytes: 64 * 2 ** 20 });
    const record = sipRecorder(journal, { stack: 'pbx' });
    const sent: string[] = [];
    for (let i = 0; i < 4000; i++) {
      // 4,000 messages of 400 to 1,300 bytes: several 1 MiB chunks, with messages on their boundaries.
      const data = register(`Digest username="${i}", opaque="${'x'.repeat(i % 900)}"`);
      sent.push(data.toString());
      record({ at: i, direction: 'in', data, local: endpoint(5060), remote: endpoint(5062) });
    }
    const big = register(`Digest username="big", opaque="${'y'.repeat(300_000)}"`);
    record({ at: 4000, direction: 'in', data: big, local: endpoint(5060), remote: endpoint(5062) });
    const kept = journal.entries() as Array<{ text: string }>;
    expect(kept).toHaveLength(4001);
    for (const i of [0, 1, 1500, 1501, 2999, 3998, 3999]) expect(kept[i]!.text).toBe(sent[i]);
    expect(kept.slice(0, 4000).every((entry, i) => entry.text === sent[i])).toBe(true);
    expect(kept[4000]!.text).toBe(big.toString());
  });

  it('filters by sequence, kind family, connection and call', () => {
    const journal = new Journal({ clock: clock(), capacity: 100 });
    journal.record({ kind: 'connection.deleted', connectionId: 'sipconn_a' });
    journal.record({ kind: 'call.state', callId: 'call_1', sipCallId: 'abc@h', connectionId: 'sipconn_a', from: 'x', to: 'y', state: 'ringing', reason: null });
    journal.record({ kind: 'call.note', callId: 'call_1', sipCallId: 'abc@h', connectionId: 'sipconn_a', topic: 'agent', text: 'hi' });
    journal.record({ kind: 'emulator.reset' });
    expect(journal.entries({ kinds: ['call'] }).map((e) => e.kind)).toEqual(['call.state', 'call.note']);
    expect(journal.entries({ kinds: ['connection'] }).map((e) => e.kind)).toEqual(['connection.deleted']);
    expect(journal.entries({ connectionId: 'sipconn_a' })).toHaveLength(3);
    expect(journal.entries({ callIds: ['abc@h'] })).toHaveLength(2);
    expect(journal.entries({ since: 2 }).map((e) => e.seq)).toEqual([3, 4]);
    expect(journal.entries({ limit: 1 }).map((e) => e.seq)).toEqual([4]);
  });

  it('marks a SIP message seen again at the same party as a retransmission, and redacts digest responses', () => {
    const journal = new Journal({ clock: clock(), capacity: 100 });
    const record = sipRecorder(journal, { stack: 'listener', connectionId: 'sipconn_a' });
    const data = register('Digest username="101", realm="r", nonce="n", uri="sip:r", response="0123456789abcdef0123456789abcdef"');
    const trace = { at: 1, direction: 'out' as const, data, local: endpoint(5062), remote: endpoint(5060) };
    record(trace);
    record(trace);
    sipRecorder(journal, { stack: 'pbx' })({ ...trace, direction: 'in', local: endpoint(5060), remote: endpoint(5062) });
    const [first, again, atPbx] = journal.entries();
    expect(first).toMatchObject({ kind: 'sip', party: 'listener:sipconn_a', connectionId: 'sipconn_a', method: 'REGISTER', cseq: '2 REGISTER', retransmission: false, local: '127.0.0.1:5062' });
    expect(again).toMatchObject({ retransmission: true });
    expect(atPbx).toMatchObject({ party: 'pbx', direction: 'in', retransmission: false });
    const text = JSON.stringify(journal.entries());
    expect(text).not.toContain('0123456789abcdef0123456789abcdef');
    expect(text).toContain('response=\\"[redacted]\\"');
  });

  it('numbers each distinct password of a request body, so equal ones stay recognisably equal', () => {
    const journal = new Journal({ clock: clock(), capacity: 100 });
    const send = (body: unknown) => journal.recordApi({ api: 'public', method: 'POST', path: '/public/sip-connections', requestText: JSON.stringify(body), status: 200, responseHeaders: {}, durationMs: 1, after: 0 });
    send({ settings: { password: 'one' } });
    send({ settings: { password: 'two' } });
    send({ settings: { password: 'one' }, nested: [{ secret: 'three' }] });
    const bodies = journal.entries().map((e) => (e.kind === 'api' ? e.request.body : undefined));
    expect(bodies).toEqual([{ settings: { password: '[secret 1]' } }, { settings: { password: '[secret 2]' } }, { settings: { password: '[secret 1]' }, nested: [{ secret: '[secret 3]' }] }]);
  });

  it('keeps the bodies of the latest API exchanges only, and says how many bytes the older ones let go', () => {
    const journal = new Journal({ clock: clock(), capacity: 1000, bodyBudget: 5000 });
    const body = JSON.stringify({ filler: 'y'.repeat(1000) });
    for (let i = 0; i < 10; i++) journal.recordApi({ api: 'public', method: 'POST', path: '/public/agents', status: 200, responseHeaders: {}, responseText: body, durationMs: 1, after: 0 });
    const responses = journal.entries().map((e) => (e.kind === 'api' ? e.response : undefined));
    expect(responses).toHaveLength(10);
    expect(responses.slice(-4).every((r) => r?.body !== undefined)).toBe(true);
    expect(responses[0]).toEqual({ status: 200, headers: {}, bodyDropped: body.length });
  });

  it("lets go of an exchange's bodies when the ring drops it, so none is held where no one can read it", () => {
    const journal = new Journal({ clock: clock(), capacity: 5, bodyBudget: 1_000_000 });
    const body = JSON.stringify({ filler: 'x'.repeat(1000) });
    const create = () => journal.recordApi({ api: 'public', method: 'POST', path: '/public/agents', status: 201, responseHeaders: {}, responseText: body, durationMs: 1, after: 0 });
    for (let i = 0; i < 3; i++) create();
    expect(journal.usage().bodyBytes).toBe(3 * body.length);
    for (let i = 0; i < 2000; i++) journal.record({ kind: 'clock.advanced', byMs: 1, now: i });
    expect(journal.usage().bodyBytes).toBe(0);
    for (let i = 0; i < 7; i++) create();
    // The ring holds five: only those five hold their bodies, well within the budget.
    expect(journal.usage()).toMatchObject({ entries: 5, bodyBytes: 5 * body.length });
    expect(journal.entries().every((e) => e.kind === 'api' && e.response.body !== undefined)).toBe(true);
  });

  it('keeps a redacted request body when it lets go of the rest, and counts only the rest', () => {
    const journal = new Journal({ clock: clock(), capacity: 100, bodyBudget: 100 });
    const requestText = JSON.stringify({ settings: { username: 'u', password: 'pw-not-kept' } });
    const responseText = JSON.stringify({ id: 'sipconn_1', filler: 'z'.repeat(200) });
    journal.recordApi({ api: 'public', method: 'POST', path: '/public/sip-connections', requestContentType: 'application/json', requestText, status: 201, responseHeaders: {}, responseText, durationMs: 1, after: 0 });
    const [entry] = journal.entries();
    if (entry?.kind !== 'api') throw new Error('expected an API entry');
    expect(entry.request).toEqual({ contentType: 'application/json', body: { settings: { username: 'u', password: '[secret 1]' } } });
    expect(entry.response).toEqual({ status: 201, headers: {}, bodyDropped: responseText.length });
    expect(JSON.stringify(entry)).not.toContain('pw-not-kept');
  });

  it('lets go of the body of a successful read at once, after its subscribers have had it whole', () => {
    const journal = new Journal({ clock: clock(), capacity: 10 });
    const streamed: string[] = [];
    journal.subscribe((e) => streamed.push(JSON.stringify(e)));
    const read = (status: number) => journal.recordApi({ api: 'public', method: 'GET', path: '/public/agents/x', status, responseHeaders: {}, responseText: '{"id":"x"}', durationMs: 1, after: 0 });
    read(200);
    read(404);
    const [ok, missing] = journal.entries().map((e) => (e.kind === 'api' ? e.response : undefined));
    expect(ok).toEqual({ status: 200, headers: {}, bodyDropped: 10 });
    expect(missing).toEqual({ status: 404, headers: {}, body: { id: 'x' } });
    expect(streamed[0]).toContain('"body":{"id":"x"}');
  });

  it('tells subscribers of each entry, and resolves waiters on the first that matches', async () => {
    const journal = new Journal({ clock: clock(), capacity: 10 });
    const seen: number[] = [];
    const unsubscribe = journal.subscribe((e) => seen.push(e.seq));
    const waiting = journal.waitFor((e) => e.kind === 'emulator.reset', 1000, 'a reset');
    journal.record({ kind: 'clock.advanced', byMs: 0, now: 0 });
    journal.record({ kind: 'emulator.reset' });
    expect((await waiting).seq).toBe(2);
    unsubscribe();
    journal.record({ kind: 'emulator.reset' });
    expect(seen).toEqual([1, 2]);
    await expect(journal.waitFor(() => false, 20, 'nothing')).rejects.toThrow('timed out after 20 ms waiting for nothing');
  });

  it('with since, resolves on an entry already recorded after that seq, and not on one before it', async () => {
    const journal = new Journal({ clock: clock(), capacity: 10 });
    journal.record({ kind: 'emulator.reset' });
    const since = journal.lastSeq;
    journal.record({ kind: 'clock.advanced', byMs: 5, now: 5 });
    expect((await journal.waitFor((e) => e.kind === 'clock.advanced', 1000, 'the advance', since)).seq).toBe(2);
    const later = journal.waitFor((e) => e.kind === 'emulator.reset', 1000, 'a later reset', since);
    journal.record({ kind: 'emulator.reset' });
    expect((await later).seq).toBe(3);
  });
});
