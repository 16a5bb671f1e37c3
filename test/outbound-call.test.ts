import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptHeard } from '../media/index.js';
import type { JournalEntry } from '../emulator/journal/index.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { Softphone, type SoftphoneCall } from '../softphone/index.js';
import { guideAgent } from './support/world.js';

const key = 'outbound';

/** Resolves once `call` has heard `prompt` (Goertzel over what it recorded), checked on each frame. */
function hears(call: SoftphoneCall, prompt: Parameters<typeof promptHeard>[1], timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      call.off('audio', check);
      reject(new Error(`the callee did not hear the ${prompt} prompt within ${timeoutMs} ms`));
    }, timeoutMs);
    let frames = 0;
    function check() {
      if (++frames % 10 !== 0 || !promptHeard(call.recording(), prompt)) return;
      clearTimeout(timer);
      call.off('audio', check);
      resolve();
    }
    call.on('audio', check);
  });
}

/**
 * The latest profile's `POST /public/sip-connections/{id}/call`: the agent's listener sends a real
 * INVITE through the PBX it is registered with; the callee (a phone outside the emulator, here a
 * Softphone of the test process, registered on the built-in PBX) answers, hears `initialSpeech`'s
 * prompt, and the call behaves as an inbound one: DTMF 0 hands the callee off to 200 with REFER.
 */
describe('outbound calls (latest profile)', () => {
  let emulator: RunningEmulator;
  let connectionId: string;
  const phones: Softphone[] = [];
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as any) };
  };
  const phone = async (username: string, autoAnswer: { status: number }) => {
    emulator.control.putPbxAccount(username, { password: `pw-${username}` });
    const started = await Softphone.start({ username, password: `pw-${username}`, domain: 'pbx.example', server: { protocol: 'UDP', address: '127.0.0.1', port: emulator.ports.sip! }, autoAnswer });
    phones.push(started);
    return started;
  };
  const errorLogged = (code: number) =>
    emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'connection.error' && e.connectionId === connectionId && e.error.code === code, 15_000, `a ${code} in the error log`) as Promise<Extract<JournalEntry, { kind: 'connection.error' }>>;

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent', apiProfile: 'latest', sipQuota: 1 });
    const agent = await api('POST', '/public/agents', { ...guideAgent, language: 'en' });
    await api('PUT', `/public/agents/${agent.body.id}/channels/sip`, { humanHandoff: { enabled: true, transferExtension: '200' } });
    const conn = await api('POST', '/public/sip-connections', { agentId: agent.body.id, settings: { server: 'pbx.example', port: 5060, domain: 'pbx.example', username: '101', password: 'pw-101', transport: 'UDP' } });
    connectionId = conn.body.id;
    await emulator.control.waitForStatus(connectionId, (s) => s.sipStatus === 'online');
  });
  afterAll(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    await emulator?.close();
  });

  it('the callee answers and hears initialSpeech first; DTMF 0 then hands it off to 200', async () => {
    const callee = await phone('300', { status: 200 });
    const human = await phone('200', { status: 200 });
    const incoming = new Promise<SoftphoneCall>((resolve) => callee.once('incoming', resolve));
    const atHuman = new Promise<SoftphoneCall>((resolve) => human.once('incoming', resolve));
    const res = await api('POST', `/public/sip-connections/${connectionId}/call`, { destination: '300', initialSpeech: 'Hello, this is support calling back.' });
    expect(res).toEqual({ status: 200, body: { status: 'dialing' } });
    const call = await incoming;
    expect((await call.answered).ok).toBe(true);
    await hears(call, 'initialSpeech');
    expect(promptHeard(call.recording(), 'greeting')).toBe(false);
    const record = (await api('GET', '/_emulator/calls')).body.items.find((c: { to: string }) => c.to === '300');
    expect(record).toMatchObject({ from: '101', to: '300', connectionId, state: 'active' });
    const turn = emulator.control.getJournal({ kind: ['agent.turn'] }).items.find((e) => e.kind === 'agent.turn' && e.callId === record.id && e.said !== undefined);
    expect(turn).toMatchObject({ said: 'initialSpeech', why: expect.stringContaining('Hello, this is support calling back.') });
    // While it calls, the connection is busy: another outbound call is refused until it is online again.
    expect((await api('POST', `/public/sip-connections/${connectionId}/call`, { destination: '300' })).body.code).toMatch(/SipConnectionNotOnline|ConcurrentCallLimitReached/);

    await call.sendDtmf('0');
    const transferred = await emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'transfer' && e.callId === record.id && e.phase !== 'refer' && e.phase !== 'notify', 15_000, 'the handoff to end');
    expect(transferred).toMatchObject({ phase: 'succeeded', target: 'sip:200@pbx.example' });
    expect((await (await atHuman).answered).ok).toBe(true);
    // The agent's own INVITE, to the callee's address at the connection's domain, through the PBX.
    const invite = emulator.control.getJournal({ kind: ['sip'], callId: record.id }).items.find((e) => e.kind === 'sip' && e.party.startsWith('listener:') && e.method === 'INVITE');
    expect(invite && 'text' in invite ? invite.text : '').toMatch(/^INVITE sip:300@pbx\.example SIP\/2\.0/);
    await emulator.control.waitForStatus(connectionId, (s) => s.sipStatus === 'online');
  });

  it('through a PBX that challenges its accounts\' calls (challengeInvites), the listener answers the 407 with the connection\'s credentials', async () => {
    const callee = phones.find((p) => p.username === '300') ?? (await phone('300', { status: 200 }));
    emulator.control.putPbxQuirks({ challengeInvites: true });
    try {
      const incoming = new Promise<SoftphoneCall>((resolve) => callee.once('incoming', resolve));
      expect((await api('POST', `/public/sip-connections/${connectionId}/call`, { destination: '300' })).body).toEqual({ status: 'dialing' });
      const call = await incoming;
      expect((await call.answered).ok).toBe(true);
      await hears(call, 'greeting');
      const record = (await api('GET', '/_emulator/calls')).body.items.filter((c: { to: string }) => c.to === '300').at(-1);
      const sent = emulator.control.getJournal({ kind: ['sip'], callId: record.id }).items.flatMap((e) => (e.kind === 'sip' && e.party.startsWith('listener:') ? [e] : []));
      const statuses = sent.filter((e) => e.direction === 'in').map((e) => e.status);
      expect(statuses).toContain(407);
      const invites = sent.filter((e) => e.direction === 'out' && e.method === 'INVITE');
      expect(invites).toHaveLength(2);
      expect(invites[1]!.text).toMatch(/\r\nProxy-Authorization: Digest username="101"/);
      expect(invites[1]!.text).not.toContain('pw-101');
      expect(invites[1]!.text).toMatch(/Proxy-Authorization: Digest [^\r\n]*response="\[redacted\]"/);
      await call.hangup();
      await emulator.control.waitForStatus(connectionId, (s) => s.sipStatus === 'online');
    } finally {
      emulator.control.putPbxQuirks({});
    }
  });

  it('busy, rejected and unanswered calls go to the error log with their status', async () => {
    await phone('486', { status: 486 });
    await phone('603', { status: 603 });
    for (const [destination, what] of [['486', 'busy'], ['603', 'rejected'], ['999', 'no such destination']] as const) {
      const logged = errorLogged(Number(destination === '999' ? 404 : destination));
      expect((await api('POST', `/public/sip-connections/${connectionId}/call`, { destination })).status).toBe(200);
      const entry = await logged;
      expect(entry.error.message).toMatch(new RegExp(`^Outbound call to ${destination} failed: \\d{3} .+ \\(${what}\\)$`));
      await emulator.control.waitForStatus(connectionId, (s) => s.sipStatus === 'online');
    }
    const errors = (await api('GET', `/public/sip-connections/${connectionId}/errors`)).body as Array<{ code: number }>;
    expect(errors.map((e) => e.code)).toEqual(expect.arrayContaining([486, 603, 404]));
  });
});
