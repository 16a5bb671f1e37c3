import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import type { JournalEntry } from '../emulator/journal/index.js';
import { sine } from '../media/index.js';
import { Softphone, type SoftphoneOptions } from '../softphone/index.js';
import { hearsPrompt } from './support/hearsPrompt.js';
import { ManualScheduler } from './support/ManualScheduler.js';
import { onlineHandoffConnection } from './support/world.js';

type SipEntry = Extract<JournalEntry, { kind: 'sip' }>;

/**
 * The call-setup quirks of the built-in PBX (issue 10, section 4), seen from the agent's side: a
 * softphone calls the agent's listener (101) through the PBX under each quirk, and the listener
 * copes: the journal's SIP messages show the quirk, the caller hears the greeting, the agent
 * hears the caller.
 */
describe('call-setup quirks, against the listener', () => {
  let emulator: RunningEmulator;
  let connectionId: string;
  const phones: Softphone[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent', pbxAccounts: [{ username: '300', password: 'caller-pw' }] });
    ({ connectionId } = await onlineHandoffConnection(emulator, 'quirks-call'));
  });
  afterEach(async () => {
    await Promise.all(phones.splice(0).map((phone) => phone.stop()));
    emulator.control.putPbxQuirks({});
    emulator.control.putPbxAccount('300', { password: 'caller-pw' });
  });
  afterAll(() => emulator?.close());

  async function phone(options: Partial<SoftphoneOptions> = {}): Promise<Softphone> {
    const started = await Softphone.start({ username: '300', password: 'caller-pw', domain: 'pbx.example', server: { protocol: 'UDP', address: '127.0.0.1', port: emulator.ports.sip! }, ...options });
    phones.push(started);
    return started;
  }

  /** The PBX's SIP messages with the caller (300) for one Call-ID, as `< INVITE` (received) or `> 407 INVITE` (sent). */
  function pbxFlowWithCaller(sipCallId: string, callerPort: number): string[] {
    return emulator.control.journal
      .entries({ kinds: ['sip'] })
      .filter((e): e is SipEntry => e.kind === 'sip' && e.party === 'pbx' && e.sipCallId === sipCallId && !e.retransmission && e.remote.endsWith(`:${callerPort}`))
      .map((e) => `${e.direction === 'in' ? '<' : '>'} ${e.method ?? `${e.status} ${e.cseq?.split(' ')[1]}`}`);
  }

  /** The listener's SIP messages of one call, as `> INVITE` (sent) or `< 200 INVITE` (received), retransmissions left out. */
  function listenerFlow(sipCallId: string): Array<{ line: string; entry: SipEntry }> {
    return emulator.control.journal
      .entries({ kinds: ['sip'], connectionId })
      .filter((e): e is SipEntry => e.kind === 'sip' && e.sipCallId === sipCallId && !e.retransmission)
      .map((entry) => ({ entry, line: `${entry.direction === 'out' ? '>' : '<'} ${entry.method ?? `${entry.status} ${entry.cseq?.split(' ')[1]}`}` }));
  }

  /** The caller hears the greeting; its tone then makes the agent take a turn (audio both ways). */
  async function audioBothWays(call: ReturnType<Softphone['call']>): Promise<void> {
    await hearsPrompt(call, 'greeting');
    await call.play(sine(440, { amplitude: 0.5, durationMs: 700 }));
    await hearsPrompt(call, 'response');
  }

  it('lateOffer: an INVITE without SDP gets our offer in the 200, and the caller\'s answer in the ACK carries the audio', async () => {
    const caller = await phone({ lateOffer: true });
    const call = caller.call('101');
    expect(await call.answered).toEqual({ ok: true });
    await audioBothWays(call);
    const flow = listenerFlow(call.callId);
    const at = (line: string) => flow.find((f) => f.line === line)?.entry;
    expect(flow.map((f) => f.line).slice(0, 4)).toEqual(['< INVITE', '> 180 INVITE', '> 200 INVITE', '< ACK']);
    expect(at('< INVITE')?.text).not.toMatch(/\r\n\r\nv=0/);
    expect(at('> 200 INVITE')?.text).toMatch(/\r\n\r\nv=0[\s\S]*m=audio [1-9]/);
    expect(at('< ACK')?.text).toMatch(/\r\n\r\nv=0[\s\S]*m=audio [1-9]/);
    await call.hangup();
  }, 20_000);

  it('challengeInvites: the PBX answers 407 to the softphone\'s INVITE, which calls again with Proxy-Authorization and reaches the agent', async () => {
    emulator.control.putPbxAccount('300', { password: 'caller-pw', quirks: { challengeInvites: true } });
    const caller = await phone();
    const call = caller.call('101');
    expect(await call.answered).toEqual({ ok: true });
    await hearsPrompt(call, 'greeting');
    const port = Number(caller.contact.match(/:(\d+);/)?.[1]);
    expect(pbxFlowWithCaller(call.callId, port).slice(0, 4)).toEqual(['< INVITE', '> 407 INVITE', '< ACK', '< INVITE']);
    const sip = emulator.control.journal.entries({ kinds: ['sip'] }).filter((e): e is SipEntry => e.kind === 'sip' && e.sipCallId === call.callId);
    const retried = sip.find((e) => e.party === 'pbx' && e.direction === 'in' && e.cseq === '2 INVITE');
    expect(retried?.text).toMatch(/^Proxy-Authorization: Digest username="300"/m);
    // The listener gets the authenticated INVITE, without the credentials meant for the PBX.
    expect(listenerFlow(call.callId)[0]?.entry.text).toMatch(/^CSeq: 2 INVITE/m);
    expect(listenerFlow(call.callId)[0]?.entry.text).not.toMatch(/Proxy-Authorization/);
    const quirk = emulator.control.journal.entries({ kinds: ['pbx.quirk'] }).find((e) => e.kind === 'pbx.quirk' && e.sipCallId === call.callId);
    expect(quirk).toMatchObject({ quirk: 'challengeInvites', account: '300' });
    await call.hangup();
  }, 20_000);

  it('challengeInvites: a caller with the wrong password gets 403 after its answer to the 407, and the call fails clearly', async () => {
    const caller = await phone();
    emulator.control.putPbxAccount('300', { password: 'changed', quirks: { challengeInvites: true } });
    const call = caller.call('101');
    expect(await call.answered).toMatchObject({ ok: false, status: 403 });
    expect((await call.ended).reason).toBe('rejected');
    expect(listenerFlow(call.callId)).toEqual([]);
  }, 20_000);

  it('challengeInvites: the transfer\'s new INVITE (REFER) is challenged too, and the softphone answers it; it is set up like the first call (100rel)', async () => {
    emulator.control.putPbxQuirks({ challengeInvites: true });
    emulator.control.putPbxAccount('200', { password: 'human' });
    const human = await Softphone.start({ username: '200', password: 'human', domain: 'pbx.example', server: { protocol: 'UDP', address: '127.0.0.1', port: emulator.ports.sip! } });
    phones.push(human);
    const caller = await phone({ require100rel: true });
    const call = caller.call('101');
    expect(await call.answered).toEqual({ ok: true });
    const transferred = new Promise<ReturnType<Softphone['call']>>((resolve) => call.once('transferred', resolve));
    await hearsPrompt(call, 'greeting');
    await call.sendDtmf('0');
    const next = await transferred;
    expect(await next.answered).toEqual({ ok: true });
    const port = Number(caller.contact.match(/:(\d+);/)?.[1]);
    expect(pbxFlowWithCaller(next.callId, port).slice(0, 4)).toEqual(['< INVITE', '> 407 INVITE', '< ACK', '< INVITE']);
    expect(pbxFlowWithCaller(next.callId, port)).toContain('< PRACK');
    await next.hangup();
  }, 20_000);

  it('require100rel: the listener sends 180 reliably (RSeq), the caller PRACKs it, and the 200 follows the PRACK\'s 200', async () => {
    emulator.control.putPbxAccount('300', { password: 'caller-pw', quirks: { require100rel: true } });
    const caller = await phone({ require100rel: true });
    const call = caller.call('101');
    expect(await call.answered).toEqual({ ok: true });
    await audioBothWays(call);
    const flow = listenerFlow(call.callId);
    expect(flow.map((f) => f.line).slice(0, 6)).toEqual(['< INVITE', '> 180 INVITE', '< PRACK', '> 200 PRACK', '> 200 INVITE', '< ACK']);
    expect(flow[0]?.entry.text).toMatch(/^Require: 100rel/m);
    expect(flow[1]?.entry.text).toMatch(/^Require: 100rel/m);
    const rseq = flow[1]?.entry.text.match(/^RSeq: (\d+)/m)?.[1];
    expect(flow[2]?.entry.text).toMatch(new RegExp(`^RAck: ${rseq} 1 INVITE`, 'm'));
    await call.hangup();
  }, 20_000);

  it('sessionTimers: 422 with Min-SE, the retry with the larger interval, then refreshes at half the interval that the listener answers with the same SDP', async () => {
    emulator.control.putPbxAccount('300', { password: 'caller-pw', quirks: { sessionTimers: { interval: 120, minSE: 120 } } });
    const scheduler = new ManualScheduler();
    const caller = await phone({ sessionExpires: 90, scheduler });
    const call = caller.call('101');
    expect(await call.answered).toEqual({ ok: true });
    const port = Number(caller.contact.match(/:(\d+);/)?.[1]);
    expect(pbxFlowWithCaller(call.callId, port).slice(0, 4)).toEqual(['< INVITE', '> 422 INVITE', '< ACK', '< INVITE']);
    const atPbx = emulator.control.journal.entries({ kinds: ['sip'] }).filter((e): e is SipEntry => e.kind === 'sip' && e.party === 'pbx' && e.sipCallId === call.callId);
    expect(atPbx.find((e) => e.status === 422)?.text).toMatch(/^Min-SE: 120\r?$/m);
    expect(atPbx.find((e) => e.cseq === '2 INVITE' && e.direction === 'in')?.text).toMatch(/^Session-Expires: 120;refresher=uac\r?$/m);

    /** The listener's 200 to the INVITE with that CSeq, once it is there. */
    const okTo = async (cseq: number): Promise<SipEntry> => {
      // Its ACK: the caller has the 200, and has scheduled its next refresh.
      const acked = () => listenerFlow(call.callId).some((f) => f.line === '< ACK' && f.entry.cseq === `${cseq} ACK`);
      if (!acked()) await emulator.control.journal.waitFor((e) => e.kind === 'sip' && e.sipCallId === call.callId && e.party.startsWith('listener') && e.method === 'ACK' && e.cseq === `${cseq} ACK`, 5000, `the ACK of INVITE ${cseq}`);
      return listenerFlow(call.callId).find((f) => f.line === '> 200 INVITE' && f.entry.cseq === `${cseq} INVITE`)!.entry;
    };
    const origin = (entry: SipEntry) => entry.text.match(/^o=.*$/m)?.[0];
    const answer = await okTo(2);
    scheduler.advance(59_000);
    expect(listenerFlow(call.callId).filter((f) => f.line === '< INVITE')).toHaveLength(1);
    scheduler.advance(1_000);
    const first = await okTo(3);
    expect(origin(first)).toBe(origin(answer));
    // Past the session interval (120 s): refreshed again, the call still up, the audio still flowing.
    scheduler.advance(60_000);
    expect(origin(await okTo(4))).toBe(origin(answer));
    expect(call.state).toBe('active');
    await hearsPrompt(call, 'greeting');
    const refreshes = listenerFlow(call.callId).filter((f) => f.line === '< INVITE').map((f) => f.entry.text.match(/^Session-Expires: .*$/m)?.[0]);
    expect(refreshes.slice(1)).toEqual(['Session-Expires: 120;refresher=uac', 'Session-Expires: 120;refresher=uac']);
    await call.hangup();
  }, 20_000);
});
