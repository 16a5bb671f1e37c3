import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../emulator/generated/index.js';
import type { JournalEntry } from '../emulator/journal/index.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { bareCaller } from './support/bareCaller.js';
import { onlineHandoffConnection } from './support/world.js';

/**
 * Transferees that do the unusual with the agent's REFER: one accepts it (202), reports
 * `100 Trying`, and then says nothing more, as linphone did when the target could not be reached:
 * the agent must give up when the subscription runs out and report a timeout (408), not the last
 * provisional status. Another's 202 is lost: its NOTIFYs come first and must carry the handoff.
 */
describe('the agent\'s REFER with unusual transferees', () => {
  let emulator: RunningEmulator;
  let api: Awaited<ReturnType<typeof onlineHandoffConnection>>['api'];
  let connectionId: string;

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent' });
    ({ connectionId, api } = await onlineHandoffConnection(emulator, 'transfer-timeout'));
  });
  afterAll(() => emulator?.close());

  /** A bare caller in a call with the agent; resolves with its dialog and the call's id. */
  async function inCall(caller: Awaited<ReturnType<typeof bareCaller>>) {
    const answered = emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'call.state' && e.to === '101' && e.state === 'active', 10_000, 'the agent to answer') as Promise<Extract<JournalEntry, { kind: 'call.state' }>>;
    const result = await caller.invite(caller.ourSdp());
    if (!result.ok) throw new Error(`call failed: ${result.status}`);
    caller.startMedia(result.response.body.toString('utf8'));
    return { dialog: result.dialog, callId: (await answered).callId };
  }

  it('ends the transfer as timed out (no final NOTIFY) with 408 in the call and the error log, and the agent stays on the call', async () => {
    const caller = await bareCaller(emulator.ports.sip!);
    try {
      const answered = emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'call.state' && e.to === '101' && e.state === 'active', 10_000, 'the agent to answer') as Promise<Extract<JournalEntry, { kind: 'call.state' }>>;
      const result = await caller.invite(caller.ourSdp());
      if (!result.ok) throw new Error(`call failed: ${result.status}`);
      caller.startMedia(result.response.body.toString('utf8'));
      const { callId } = await answered;
      // Accept the REFER, say "100 Trying" for one second of subscription, and never report the end.
      result.dialog.onRequest((incoming) => {
        if (incoming.request.method !== 'REFER') return void incoming.respond(200);
        incoming.respond(202);
        void result.dialog.request('NOTIFY', {
          headers: [['Event', 'refer'], ['Subscription-State', 'active;expires=1']],
          body: 'SIP/2.0 100 Trying\r\n',
          contentType: 'message/sipfrag;version=2.0',
        });
      });
      const failed = emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'transfer' && e.callId === callId && e.phase === 'failed', 15_000, 'the transfer to fail');
      await api('POST', `/_emulator/calls/${callId}/dtmf`, { digits: '0' });
      expect(await failed).toMatchObject({ status: 408, text: expect.stringMatching(/^transfer to sip:200@pbx\.example timed out \(no final NOTIFY/) });

      const call = (await api('GET', `/_emulator/calls/${callId}`)) as Call;
      expect(call.transfer).toEqual({ target: 'sip:200@pbx.example', status: 408, outcome: 'failed' });
      expect(call.state).toBe('active');
      const errors = (await api('GET', `/public/sip-connections/${connectionId}/errors`)) as Array<{ code: number; message: string }>;
      expect(errors).toContainEqual(expect.objectContaining({ code: 408, message: expect.stringMatching(/timed out \(no final NOTIFY/) }));
      expect(errors.some((e) => e.code === 100)).toBe(false);
      await result.dialog.bye();
    } finally {
      await caller.close();
    }
  });

  it('takes the NOTIFYs for the 202 when the 202 is lost (RFC 6665 §4.1.2.4): the handoff succeeds at once, not after Timer F', async () => {
    const caller = await bareCaller(emulator.ports.sip!);
    try {
      const { dialog, callId } = await inCall(caller);
      // The 202 never reaches the agent (it is not even sent); the NOTIFYs do.
      dialog.onRequest((incoming) => {
        if (incoming.request.method !== 'REFER') return void incoming.respond(200);
        const id = incoming.request.headers.get('CSeq')?.split(' ')[0];
        const notify = (frag: string, state: string) => dialog.request('NOTIFY', { headers: [['Event', `refer;id=${id}`], ['Subscription-State', state]], body: `${frag}\r\n`, contentType: 'message/sipfrag;version=2.0' });
        void notify('SIP/2.0 100 Trying', 'active;expires=60').then(() => notify('SIP/2.0 200 OK', 'terminated;reason=noresource'));
      });
      const started = Date.now();
      const ended = emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'call.state' && e.callId === callId && e.state === 'ended', 10_000, 'the agent to leave');
      await api('POST', `/_emulator/calls/${callId}/dtmf`, { digits: '0' });
      expect(await ended).toMatchObject({ reason: 'transferred to 200' });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(((await api('GET', `/_emulator/calls/${callId}`)) as Call).transfer).toEqual({ target: 'sip:200@pbx.example', status: 200, outcome: 'succeeded' });
    } finally {
      await caller.close();
    }
  });
});
