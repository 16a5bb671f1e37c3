import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import type { JournalEntry } from '../emulator/journal/index.js';
import { Softphone, type SoftphoneCall } from '../softphone/index.js';
import { onlineHandoffConnection } from './support/world.js';

type SipEntry = Extract<JournalEntry, { kind: 'sip' }>;

/**
 * The `dtmf` quirk of the built-in PBX (issue 10, section 4): only one way of pressing keys gets
 * through. The agent still hears the digits sent the way that works, and hands off on 0.
 */
describe('the dtmf quirk, against the listener', () => {
  let emulator: RunningEmulator;
  let connectionId: string;
  const phones: Softphone[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent', pbxAccounts: [{ username: '300', password: 'caller-pw' }, { username: '200', password: 'human' }] });
    ({ connectionId } = await onlineHandoffConnection(emulator, 'quirks-dtmf'));
  });
  afterEach(async () => {
    await Promise.all(phones.splice(0).map((phone) => phone.stop()));
    emulator.control.putPbxQuirks({});
  });
  afterAll(() => emulator?.close());

  async function phone(username: string, password: string): Promise<Softphone> {
    const started = await Softphone.start({ username, password, domain: 'pbx.example', server: { protocol: 'UDP', address: '127.0.0.1', port: emulator.ports.sip! } });
    phones.push(started);
    return started;
  }

  /** The first journal entry, already there or still to come, that satisfies `predicate`. */
  function seen(predicate: (e: JournalEntry) => boolean, what: string, timeoutMs = 8000): Promise<unknown> {
    const found = emulator.control.journal.entries({}).find(predicate);
    return found ? Promise.resolve(found) : emulator.control.journal.waitFor(predicate, timeoutMs, what);
  }

  /** The agent heard `digit` by `method` on the call of that SIP Call-ID. */
  function heard(sipCallId: string, digit: string, method: 'info' | 'rfc4733'): Promise<unknown> {
    return seen((e) => e.kind === 'dtmf' && e.sipCallId === sipCallId && e.digit === digit && e.method === method && e.heardBy === 'agent', `the agent to hear ${digit} by ${method}`);
  }

  function handedOff(sipCallId: string): Promise<unknown> {
    return seen((e) => e.kind === 'transfer' && e.sipCallId === sipCallId && e.phase === 'succeeded', 'the handoff to 200', 10_000);
  }

  /** A call from 300 to the agent, answered, with the human (200) ready for the handoff. */
  async function callAgent(): Promise<SoftphoneCall> {
    await phone('200', 'human');
    const call = (await phone('300', 'caller-pw')).call('101');
    expect(await call.answered).toEqual({ ok: true });
    await seen((e) => e.kind === 'agent.turn' && e.sipCallId === call.callId && e.said === 'greeting', 'the greeting');
    return call;
  }

  it('infoOnly: the SDP reaching the agent has no telephone-event, so the caller presses 0 by SIP INFO; the agent hears it and hands off', async () => {
    emulator.control.putPbxQuirks({ dtmf: 'infoOnly' });
    const call = await callAgent();
    const sip = () => emulator.control.journal.entries({ kinds: ['sip'], connectionId }).filter((e): e is SipEntry => e.kind === 'sip' && e.sipCallId === call.callId);
    const invite = sip().find((e) => e.method === 'INVITE' && e.direction === 'in');
    expect(invite?.text).toMatch(/^m=audio \d+ RTP\/AVP/m);
    expect(invite?.text).not.toMatch(/telephone-event/);
    const sent = call.sendDtmf('0');
    await heard(call.callId, '0', 'info');
    await sent;
    await handedOff(call.callId);
    const quirk = emulator.control.journal.entries({ kinds: ['pbx.quirk'] }).find((e) => e.kind === 'pbx.quirk' && e.sipCallId === call.callId);
    expect(quirk).toMatchObject({ quirk: 'dtmf', text: 'telephone-event removed from the SDP the PBX relays in this call (dtmf: infoOnly)' });
  }, 30_000);

  it('rfc4733Only: a DTMF INFO gets 200 from the PBX and never reaches the agent; 0 by RFC 4733 does, and the agent hands off', async () => {
    emulator.control.putPbxQuirks({ dtmf: 'rfc4733Only' });
    const call = await callAgent();
    await call.sendDtmf('5', 'info');
    const swallowed = emulator.control.journal.entries({ kinds: ['pbx.quirk'] }).filter((e) => e.kind === 'pbx.quirk' && e.sipCallId === call.callId);
    expect(swallowed.map((e) => (e as { text: string }).text)).toEqual(['INFO (DTMF) answered 200 by the PBX and not relayed (dtmf: rfc4733Only)']);
    await call.sendDtmf('0');
    await heard(call.callId, '0', 'rfc4733');
    const agentInfos = emulator.control.journal.entries({ kinds: ['sip'], connectionId }).filter((e) => e.kind === 'sip' && e.sipCallId === call.callId && e.method === 'INFO');
    expect(agentInfos).toEqual([]);
    expect(emulator.control.journal.entries({ kinds: ['dtmf'] }).filter((e) => e.kind === 'dtmf' && e.sipCallId === call.callId && e.digit === '5')).toEqual([]);
    await handedOff(call.callId);
  }, 30_000);
});
