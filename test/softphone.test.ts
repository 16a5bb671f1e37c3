import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Pbx } from '../emulator/pbx/index.js';
import { decodeRtpPacket, goertzel } from '../media/index.js';
import type { SipTraceEntry } from '../sip/index.js';
import { RegistrationError, Softphone, type RtpPacketSeen, type SoftphoneCall, type SoftphoneOptions } from '../softphone/index.js';
import { heardTone, nextIncoming, untilEvent } from '../softphone/softphone.case.js';

let pbx: Pbx;
const phones: Softphone[] = [];

beforeAll(async () => {
  pbx = await Pbx.start({ port: 0, accounts: [{ username: 'alice', password: 'a' }, { username: 'bob', password: 'b' }, { username: '200', password: 'h' }] });
});
afterAll(async () => {
  await pbx.close();
});
afterEach(async () => {
  await Promise.all(phones.splice(0).map((phone) => phone.stop()));
});

async function phone(username: string, password: string, extra: Partial<SoftphoneOptions> = {}): Promise<Softphone> {
  const started = await Softphone.start({ username, password, domain: 'pbx.test', server: { protocol: 'UDP', address: '127.0.0.1', port: pbx.ports.udp ?? 0 }, ...extra });
  phones.push(started);
  return started;
}

/** Alice calls Bob, who answers per his auto-answer; resolves with both ends once answered. */
async function connect(alice: Softphone, bob: Softphone): Promise<{ a: SoftphoneCall; b: SoftphoneCall }> {
  const incoming = nextIncoming(bob);
  const a = alice.call('bob');
  expect(await a.answered).toEqual({ ok: true });
  const b = await incoming;
  if (b.state !== 'active') await b.answered;
  return { a, b };
}

describe('Softphone through the built-in PBX', () => {
  it('registers, calls, and carries audio both ways: each side records the tone the other played', async () => {
    const alice = await phone('alice', 'a');
    const bob = await phone('bob', 'b');
    expect([alice.registered, bob.registered]).toEqual([true, true]);
    expect(pbx.accounts.list().filter((a) => a.registered).map((a) => a.username).sort()).toEqual(['alice', 'bob']);

    const states: string[] = [];
    const incoming = nextIncoming(bob);
    const a = alice.call('bob');
    a.on('state', (state) => states.push(state));
    expect(a.direction).toBe('outgoing');
    expect(a.remote).toBe('sip:bob@pbx.test');
    expect(await a.answered).toEqual({ ok: true });
    const b = await incoming;
    await b.answered;
    expect(b.direction).toBe('incoming');
    expect(b.callId).toBe(a.callId);
    expect(b.remote).toBe('sip:alice@pbx.test');
    expect(states).toEqual(['ringing', 'active']);
    expect(alice.calls()).toEqual([a]);

    await Promise.all([a.playTone(1000, 400, 0.5), b.playTone(1400, 400, 0.5)]);
    await untilEvent(b, 'audio', () => heardTone(b.recording(), 1000));
    await untilEvent(a, 'audio', () => heardTone(a.recording(), 1400));
    expect(goertzel(b.recording(), 1400)).toBeLessThan(0.02);
    expect(goertzel(a.recording(), 1000)).toBeLessThan(0.02);
    expect(a.rtpStats()).toMatchObject({ packetsLost: 0 });
    expect(a.rtpStats()?.packetsSent).toBeGreaterThanOrEqual(20);
    expect(b.rtpStats()?.packetsReceived).toBeGreaterThanOrEqual(20);

    await a.hangup();
    expect(await a.ended).toEqual({ reason: 'hangup' });
    expect(await b.ended).toEqual({ reason: 'remote-hangup' });
    expect([a.state, b.state]).toEqual(['ended', 'ended']);
    expect(alice.calls()).toEqual([]);
  });

  it('receives DTMF sent as RFC 4733 events and as SIP INFO, each digit once', async () => {
    const alice = await phone('alice', 'a');
    const bob = await phone('bob', 'b');
    const { a, b } = await connect(alice, bob);
    const digits: string[] = [];
    b.on('dtmf', (digit) => digits.push(digit));
    await a.sendDtmf('5');
    await a.sendDtmf('7', 'info');
    await a.sendDtmf('9#');
    await untilEvent(b, 'dtmf', () => digits.length >= 4 || undefined);
    const heardByAlice: string[] = [];
    a.on('dtmf', (digit) => heardByAlice.push(digit));
    await b.sendDtmf('*', 'info');
    await untilEvent(a, 'dtmf', () => heardByAlice.length >= 1 || undefined);
    await b.hangup();
    expect(await a.ended).toEqual({ reason: 'remote-hangup' });
    expect(digits).toEqual(['5', '7', '9', '#']);
    expect(heardByAlice).toEqual(['*']);
    await expect(a.sendDtmf('1')).rejects.toThrow(/the call is ended/);
    await expect(a.sendDtmf('x')).rejects.toThrow(/not a string of DTMF digits/);
  });

  it('reports a busy callee: answered resolves {ok: false, status: 486}', async () => {
    const alice = await phone('alice', 'a');
    const bob = await phone('bob', 'b', { autoAnswer: { status: 486 } });
    const incoming = nextIncoming(bob);
    const a = alice.call('bob');
    expect(await a.answered).toEqual({ ok: false, status: 486, reason: 'Busy Here' });
    expect(await a.ended).toEqual({ reason: 'rejected', status: 486 });
    expect(await (await incoming).ended).toEqual({ reason: 'rejected', status: 486 });
  });

  it('cancels a call that rings forever: 487 on both sides', async () => {
    const alice = await phone('alice', 'a');
    const bob = await phone('bob', 'b');
    bob.setAutoAnswer({ status: 180 });
    const incoming = nextIncoming(bob);
    const a = alice.call('bob');
    await untilEvent(a, 'state', () => a.state === 'ringing' || undefined);
    const b = await incoming;
    expect(b.state).toBe('ringing');
    await a.hangup();
    expect(await a.answered).toMatchObject({ ok: false, status: 487 });
    expect(await a.ended).toEqual({ reason: 'cancelled', status: 487 });
    expect(await b.ended).toEqual({ reason: 'cancelled', status: 487 });
    expect(bob.calls()).toEqual([]);
  });

  it('answers after ringing for afterMs, and the callee can hang up', async () => {
    const alice = await phone('alice', 'a');
    const bob = await phone('bob', 'b', { autoAnswer: { status: 200, afterMs: 50 } });
    const { a, b } = await connect(alice, bob);
    expect(a.state).toBe('active');
    await b.hangup();
    expect(await b.ended).toEqual({ reason: 'hangup' });
    expect(await a.ended).toEqual({ reason: 'remote-hangup' });
  });

  it('places calls back to back: the second, with no RTP port ready, offers none and answers the callee in the ACK', async () => {
    const captured: SipTraceEntry[] = [];
    const alice = await phone('alice', 'a', { onSipMessage: (entry) => captured.push(entry) });
    const bob = await phone('bob', 'b');
    const heard: SoftphoneCall[] = [];
    bob.on('incoming', (call) => heard.push(call));
    const first = alice.call('bob');
    const second = alice.call('bob');
    expect(await Promise.all([first.answered, second.answered])).toEqual([{ ok: true }, { ok: true }]);
    const atBob = heard.find((c) => c.callId === second.callId);
    if (atBob === undefined) throw new Error('bob did not see the second call');
    await atBob.answered;
    await atBob.playTone(1000, 300, 0.5);
    await untilEvent(second, 'audio', () => heardTone(second.recording(), 1000));
    await second.playTone(1400, 300, 0.5);
    await untilEvent(atBob, 'audio', () => heardTone(atBob.recording(), 1400));

    const sent = (callId: string, method: string) =>
      captured.find((p) => p.message?.headers.get('Call-ID') === callId && p.direction === 'out' && p.data.toString('latin1').startsWith(`${method} `))?.data.toString('latin1') ?? '';
    expect(sent(first.callId, 'INVITE')).toMatch(/\r\n\r\nv=0\r\n[^]*m=audio \d+ RTP\/AVP 0 8 101\r\n/);
    expect(sent(second.callId, 'INVITE')).toMatch(/\r\nContent-Length: 0\r\n\r\n$/i);
    expect(sent(second.callId, 'ACK')).toMatch(/\r\nContent-Type: application\/sdp\r\n[^]*\r\n\r\nv=0\r\n/i);
  });

  it('reports every SIP message it sends and receives, and every RTP packet of a call with its Call-ID', async () => {
    const sipSeen: SipTraceEntry[] = [];
    const rtpSeen: Array<{ callId: string; packet: RtpPacketSeen }> = [];
    const alice = await phone('alice', 'a', { onSipMessage: (entry) => sipSeen.push(entry), onRtpPacket: (callId, packet) => rtpSeen.push({ callId, packet }) });
    const bob = await phone('bob', 'b');
    const { a, b } = await connect(alice, bob);
    await b.playTone(1000, 200);
    await untilEvent(a, 'audio', () => heardTone(a.recording(), 1000));
    await a.hangup();
    await b.ended;

    const sip = sipSeen.filter((p) => p.message?.headers.get('Call-ID') === a.callId).map((p) => `${p.direction} ${p.data.toString('latin1').split('\r\n', 1)[0]}`);
    expect(sip[0]).toMatch(/^out INVITE sip:bob@pbx\.test SIP\/2\.0$/);
    expect(sip).toContain('in SIP/2.0 200 OK');
    expect(sip.some((line) => /^out ACK /.test(line))).toBe(true);
    expect(sip.some((line) => /^out BYE /.test(line))).toBe(true);
    expect(rtpSeen.every((p) => p.callId === a.callId)).toBe(true);
    const rtp = rtpSeen.map((p) => p.packet);
    expect(rtp.some((p) => p.direction === 'in')).toBe(true);
    expect(rtp.some((p) => p.direction === 'out')).toBe(true);
    for (const packet of rtp) {
      expect(packet.local.address).toBe('127.0.0.1');
      expect(decodeRtpPacket(packet.data).ok).toBe(true);
    }
    expect(rtp.filter((p) => p.direction === 'out')).toHaveLength(a.rtpStats()?.packetsSent ?? -1);
    expect(sipSeen.some((p) => p.data.toString('latin1').startsWith('REGISTER '))).toBe(true);
  });

  it('refuses to start with a wrong password (RegistrationError with the SIP status), and unregisters on stop', async () => {
    const failed = Softphone.start({ username: 'alice', password: 'wrong', domain: 'pbx.test', server: { protocol: 'UDP', address: '127.0.0.1', port: pbx.ports.udp ?? 0 } });
    await expect(failed).rejects.toBeInstanceOf(RegistrationError);
    await expect(failed).rejects.toMatchObject({ code: expect.any(Number), message: expect.stringMatching(/alice could not register: SIP registration failed: 40[13] .*Check the user name, password and domain/) });

    const bob = await phone('bob', 'b');
    const alice = await phone('alice', 'a', { register: false });
    expect(alice.registered).toBe(false);
    await bob.stop();
    expect(bob.registered).toBe(false);
    const call = alice.call('bob');
    expect(await call.answered).toMatchObject({ ok: false, status: 480 });
  });

  it('registers and calls over TCP', async () => {
    const alice = await phone('alice', 'a', { server: { protocol: 'TCP', address: '127.0.0.1', port: pbx.ports.tcp ?? 0 } });
    const bob = await phone('bob', 'b', { server: { protocol: 'TCP', address: '127.0.0.1', port: pbx.ports.tcp ?? 0 } });
    expect(alice.transport).toBe('TCP');
    const { a, b } = await connect(alice, bob);
    await a.playTone(1000, 200, 0.5);
    await untilEvent(b, 'audio', () => heardTone(b.recording(), 1000));
    const ended = once(b, 'ended');
    await alice.stop();
    expect(await a.ended).toEqual({ reason: 'hangup' });
    expect(await ended).toEqual([{ reason: 'remote-hangup' }]);
  });

  it('rejects what is not an extension or a sip: URI', async () => {
    const alice = await phone('alice', 'a', { register: false });
    expect(() => alice.call('bob smith')).toThrow(/neither an extension/);
    expect(() => alice.call('http://example.com')).toThrow(/neither an extension/);
  });
});
