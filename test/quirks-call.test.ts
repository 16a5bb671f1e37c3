import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import type { JournalEntry } from '../emulator/journal/index.js';
import { sine } from '../media/index.js';
import { Softphone, type SoftphoneOptions } from '../softphone/index.js';
import { hearsPrompt } from './support/hearsPrompt.js';
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
  });
  afterAll(() => emulator?.close());

  async function phone(options: Partial<SoftphoneOptions> = {}): Promise<Softphone> {
    const started = await Softphone.start({ username: '300', password: 'caller-pw', domain: 'pbx.example', server: { protocol: 'UDP', address: '127.0.0.1', port: emulator.ports.sip! }, ...options });
    phones.push(started);
    return started;
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
});
