import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../emulator/generated/index.js';
import type { JournalEntry } from '../emulator/journal/index.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { Softphone, type SoftphoneCall } from '../softphone/index.js';
import { onlineHandoffConnection } from './support/world.js';

type CallState = Extract<JournalEntry, { kind: 'call.state' }>;

/**
 * An emulator softphone calls the agent and is handed off to a human whose phone is not the
 * emulator's (here a Softphone of the test process, as linphone or a desk phone would be): the leg
 * the emulator's softphone places when it follows the REFER is then seen from our side only.
 */
describe('an emulator softphone handed off to a phone outside the emulator', () => {
  let emulator: RunningEmulator;
  let api: Awaited<ReturnType<typeof onlineHandoffConnection>>['api'];
  let human: Softphone;

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent' });
    ({ api } = await onlineHandoffConnection(emulator, 'fleet-handoff'));
    emulator.control.putPbxAccount('200', { password: 'human' });
    human = await Softphone.start({ username: '200', password: 'human', domain: 'pbx.example', server: { protocol: 'UDP', address: '127.0.0.1', port: emulator.ports.sip! }, autoAnswer: { status: 200 } });
  });
  afterAll(async () => {
    await human?.stop();
    await emulator?.close();
  });

  /** Places a call to 101, presses 0, and resolves with the record of the caller's new leg to 200 once the human has answered it. */
  async function handOff(): Promise<{ leg: Call; atHuman: SoftphoneCall }> {
    const atHuman = new Promise<SoftphoneCall>((resolve) => human.once('incoming', resolve));
    const opened = emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'call.state' && e.to === '200' && e.state === 'ringing', 15_000, 'the caller to call 200') as Promise<CallState>;
    // The agent may answer before the POST's response is back: entries since it count.
    const since = emulator.control.journal.lastSeq;
    const placed = await api('POST', '/_emulator/calls', { from: 'caller', to: '101' });
    await emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'call.state' && e.callId === placed.id && e.state === 'active', 10_000, 'the agent to answer', since);
    await api('POST', `/_emulator/calls/${placed.id}/dtmf`, { digits: '0' });
    const leg = await opened;
    const call = await atHuman;
    if (!(await call.answered).ok) throw new Error('the human did not answer');
    // The original call ends once the new leg is up (the transferee's 'transferred').
    await emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'call.state' && e.callId === placed.id && e.state === 'ended', 10_000, 'the original call to end');
    return { leg: await api('GET', `/_emulator/calls/${leg.callId}`), atHuman: call };
  }

  it('the leg that follows the REFER is active, with answeredAt, once the target has answered', async () => {
    const { leg, atHuman } = await handOff();
    expect(leg).toMatchObject({ from: 'caller', to: '200', state: 'active' });
    expect(leg.answeredAt).toEqual(expect.any(Number));
    await atHuman.hangup();
  });

  it('the leg shows its RTP counts while it is up, not only at the end', async () => {
    const { leg, atHuman } = await handOff();
    // The caller's softphone sends a frame every 20 ms: counts move while the call lasts.
    await new Promise<void>((resolve) => atHuman.once('audio', () => resolve()));
    const live = (await api('GET', `/_emulator/calls/${leg.id}`)) as Call;
    expect(live.state).not.toBe('ended');
    expect(live.rtp).toMatchObject({ packetsSent: expect.any(Number), packetsReceived: expect.any(Number) });
    expect(live.rtp!.packetsSent).toBeGreaterThan(0);
    await atHuman.hangup();
  });
});
