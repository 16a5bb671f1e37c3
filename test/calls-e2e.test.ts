import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { goertzel, promptHeard, readWav } from '../media/index.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import type { JournalEntry } from '../emulator/journal/index.js';
import { guideAgent } from './support/world.js';

/**
 * A whole call through the control API, as a scenario or a CI job drives it: an emulator
 * softphone calls the agent through the built-in PBX; the agent greets it, takes turns, and on
 * DTMF 0 transfers it to the human at extension 200, another emulator softphone.
 */
describe('calls through the control API', () => {
  let emulator: RunningEmulator;
  const key = 'calls-e2e';
  let agentId: string;

  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, body: (type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer())) as any };
  };
  const callState = (id: string, state: string, timeoutMs = 10_000) =>
    emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'call.state' && e.callId === id && e.state === state, timeoutMs, `call ${id} to be ${state}`);
  /** Resolves once the agent has said `prompt` (the call record, polled while the call runs). */
  const agentHeard = (id: string, prompt: string, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setInterval(async () => {
        const call = await request('GET', `/_emulator/calls/${id}`);
        if (call.body.agentTurns?.some((t: { said?: string }) => t.said === prompt)) {
          clearInterval(timer);
          clearTimeout(deadline);
          resolve();
        }
      }, 50);
      const deadline = setTimeout(() => {
        clearInterval(timer);
        reject(new Error(`the agent did not say ${prompt} within ${timeoutMs} ms`));
      }, timeoutMs);
    });

  /** Resolves once the emulator softphone in the call has heard `frequency` (its recording, fetched as audio arrives). */
  const heardTone = (id: string, frequency: number, side: 'caller' | 'callee', timeoutMs = 5000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setInterval(async () => {
        const wav = readWav((await request('GET', `/_emulator/calls/${id}/recording?side=${side}`)).body);
        if (wav.ok && goertzel(wav.value.samples.subarray(-8000), frequency) > 0.05) {
          clearInterval(timer);
          clearTimeout(deadline);
          resolve();
        }
      }, 100);
      const deadline = setTimeout(() => {
        clearInterval(timer);
        reject(new Error(`the softphone did not hear ${frequency} Hz within ${timeoutMs} ms`));
      }, timeoutMs);
    });

  async function connection(username: string, handoff: { enabled: boolean; transferExtension?: string }) {
    await request('PUT', `/public/agents/${agentId}/channels/sip`, { humanHandoff: handoff });
    const conn = await request('POST', '/public/sip-connections', {
      agentId,
      settings: { server: 'pbx.example', port: 5060, domain: 'pbx.example', username, password: `pw-${username}`, transport: 'UDP' },
    });
    await emulator.control.waitForStatus(conn.body.id, (s) => s.sipStatus === 'online');
    return conn.body.id as string;
  }

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent', validateResponses: true });
  });
  beforeEach(async () => {
    await request('POST', '/_emulator/reset');
    const agent = await request('POST', '/public/agents', { ...guideAgent, providerSettings: { turnDetection: { threshold: 0.5, silence_duration_ms: 400 } } });
    agentId = agent.body.id;
  });
  afterAll(() => emulator?.close());

  it('greets, responds after the caller speaks, and transfers on DTMF 0 to 200, which hears the caller', async () => {
    const connectionId = await connection('101', { enabled: true, transferExtension: '200' });
    expect((await request('POST', '/_emulator/softphones', { username: '200', password: 'human', autoAnswer: { status: 200 } })).status).toBe(201);

    const placed = await request('POST', '/_emulator/calls', { from: 'caller', to: '101' });
    expect(placed.status).toBe(201);
    const id = placed.body.id as string;
    await callState(id, 'active');
    await agentHeard(id, 'greeting');

    // The caller speaks (a tone burst, then silence): the agent answers after silence_duration_ms.
    expect((await request('POST', `/_emulator/calls/${id}/tone`, { frequency: 440, durationMs: 700 })).status).toBe(202);
    await agentHeard(id, 'response');

    const transferred = emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'call.state' && e.from === 'caller' && e.to === '200' && e.state === 'active', 15_000, 'the caller to reach 200');
    const ended = callState(id, 'ended', 15_000);
    expect((await request('POST', `/_emulator/calls/${id}/dtmf`, { digits: '0' })).status).toBe(202);
    const handoff = (await transferred) as Extract<JournalEntry, { kind: 'call.state' }>;
    await ended;

    const call = (await request('GET', `/_emulator/calls/${id}`)).body;
    expect(call).toMatchObject({ connectionId, state: 'ended', transfer: { target: 'sip:200@pbx.example', status: 200, outcome: 'succeeded' } });
    expect(call.agentTurns.map((t: { said?: string; heard?: string }) => t.said ?? t.heard)).toEqual(expect.arrayContaining(['greeting', 'response', 'DTMF 0', 'transferring']));
    expect(call.timeline.some((e: { text: string }) => /REFER to sip:200@pbx\.example/.test(e.text))).toBe(true);
    expect(call.timeline.some((e: { text: string }) => /NOTIFY: SIP\/2\.0 200/.test(e.text))).toBe(true);
    expect(call.endReason).toMatch(/transferred to 200|BYE/);

    // The caller heard the greeting; the human at 200 hears the caller.
    const heardByCaller = readWav((await request('GET', `/_emulator/calls/${id}/recording`)).body);
    expect(heardByCaller.ok && promptHeard(heardByCaller.value.samples, 'greeting')).toBe(true);
    await request('POST', `/_emulator/calls/${handoff.callId}/tone`, { frequency: 1000, durationMs: 600 });
    await heardTone(handoff.callId, 1000, 'callee');
    const handoffEnded = callState(handoff.callId, 'ended');
    await request('POST', `/_emulator/calls/${handoff.callId}/hangup`);
    await handoffEnded;
    // One record for the caller's call to 200, seen from both emulator softphones.
    expect((await request('GET', '/_emulator/calls')).body.items.filter((c: { to: string }) => c.to === '200')).toHaveLength(1);

    const pcap = await request('GET', `/_emulator/calls/${id}/pcap`);
    expect(pcap.status).toBe(200);
    expect(pcap.body.readUInt32LE(0)).toBe(0xa1b2c3d4);
    await emulator.control.waitForStatus(connectionId, (s) => s.sipStatus === 'online');
  });

  it('never transfers with handoff disabled, whatever the caller presses or says', async () => {
    await connection('102', { enabled: false, transferExtension: '200' });
    await request('POST', '/_emulator/softphones', { username: '200', password: 'human' });
    const id = (await request('POST', '/_emulator/calls', { from: 'caller', to: '102' })).body.id as string;
    await callState(id, 'active');
    await request('POST', `/_emulator/calls/${id}/dtmf`, { digits: '0' });
    await request('POST', `/_emulator/calls/${id}/dtmf`, { digits: '0', method: 'info' });
    await request('POST', `/_emulator/calls/${id}/utterances`, { text: 'Transfer me to a human right now' });
    await agentHeard(id, 'response');
    const call = (await request('GET', `/_emulator/calls/${id}`)).body;
    expect(call.transfer).toBeNull();
    expect(call.state).toBe('active');
    expect(call.agentTurns.filter((t: { heard?: string }) => t.heard === 'DTMF 0')).toHaveLength(2);
    expect(call.timeline.some((e: { text: string }) => /REFER/.test(e.text))).toBe(false);
    const ended = callState(id, 'ended');
    await request('POST', `/_emulator/calls/${id}/hangup`);
    await ended;
  });

  it('stays on the call when the target is busy (486), saying so, with 486 in the timeline and the error log', async () => {
    const connectionId = await connection('103', { enabled: true, transferExtension: '200' });
    await request('POST', '/_emulator/softphones', { username: '200', password: 'human', autoAnswer: { status: 486 } });
    const id = (await request('POST', '/_emulator/calls', { from: 'caller', to: '103' })).body.id as string;
    await callState(id, 'active');
    await request('POST', `/_emulator/calls/${id}/utterances`, { text: 'I want to talk to a person' });
    await agentHeard(id, 'transferFailed', 15_000);
    const call = (await request('GET', `/_emulator/calls/${id}`)).body;
    expect(call).toMatchObject({ state: 'active', transfer: { status: 486, outcome: 'failed' } });
    expect(call.timeline.some((e: { text: string }) => /486/.test(e.text))).toBe(true);
    const errors = (await request('GET', `/public/sip-connections/${connectionId}/errors`)).body;
    expect(errors.at(-1)).toMatchObject({ code: 486, message: expect.stringContaining('486') });
    const ended = callState(id, 'ended');
    await request('POST', `/_emulator/calls/${id}/hangup`);
    await ended;
  });

  it('hangs up the calls of a connection that is deleted, so no RTP goes on', async () => {
    const connectionId = await connection('105', { enabled: false });
    const id = (await request('POST', '/_emulator/calls', { from: 'caller', to: '105' })).body.id as string;
    await callState(id, 'active');
    const ended = callState(id, 'ended');
    expect((await request('DELETE', `/public/sip-connections/${connectionId}`)).status).toBe(204);
    await ended;
    const call = (await request('GET', `/_emulator/calls/${id}`)).body;
    expect(call.timeline.some((t: { text: string }) => t.text.includes('BYE (the listener stopped)'))).toBe(true);
  });

  it('refuses calls with 480 and says why in the error log when the agent has no SIP channel config', async () => {
    await request('PUT', `/public/agents/${agentId}/channels/sip`, {});
    const conn = await request('POST', '/public/sip-connections', { agentId, settings: { server: 'pbx.example', port: 5060, domain: 'pbx.example', username: '104', password: 'x', transport: 'TCP' } });
    await emulator.control.waitForStatus(conn.body.id, (s) => s.sipStatus === 'online');
    await request('DELETE', `/public/agents/${agentId}/channels/sip`);
    const ended = emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'call.state' && e.to === '104' && e.state === 'ended', 10_000, 'the refused call to end');
    const id = (await request('POST', '/_emulator/calls', { from: 'caller', to: '104' })).body.id as string;
    await ended;
    const call = (await request('GET', `/_emulator/calls/${id}`)).body;
    expect(call.endReason).toMatch(/480/);
    const errors = (await request('GET', `/public/sip-connections/${conn.body.id}/errors`)).body;
    expect(errors.at(-1)).toMatchObject({ code: 480, message: expect.stringContaining('no SIP channel config') });
  });
});
