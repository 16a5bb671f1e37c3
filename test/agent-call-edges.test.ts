import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { negotiateSdp, parseSdp } from '../media/index.js';
import { bareCaller } from './support/bareCaller.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import type { JournalEntry } from '../emulator/journal/index.js';
import { guideAgent } from './support/world.js';

/** The agent's answers to callers that do unusual things, driven by a bare caller (sip/ + media/). */
describe('the agent with unusual callers', () => {
  let emulator: RunningEmulator;
  const closers: Array<() => Promise<unknown>> = [];
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': 'edges', 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (res.status === 204 ? undefined : await res.json()) as any;
  };

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent', maxConcurrentCalls: 1, rtpTimeoutMs: 400 });
    const agent = await api('POST', '/public/agents', guideAgent);
    await api('PUT', `/public/agents/${agent.id}/channels/sip`, { humanHandoff: { enabled: false } });
    const conn = await api('POST', '/public/sip-connections', { agentId: agent.id, settings: { server: 'pbx.example', port: 5060, domain: 'pbx.example', username: '101', password: 'pw', transport: 'UDP' } });
    await emulator.control.waitForStatus(conn.id, (s) => s.sipStatus === 'online');
  });
  afterEach(async () => {
    await Promise.allSettled(closers.splice(0).map((close) => close()));
  });
  afterAll(() => emulator?.close());

  async function caller() {
    const c = await bareCaller(emulator.ports.sip!);
    closers.push(c.close);
    return c;
  }

  const ended = (predicate: (e: Extract<JournalEntry, { kind: 'call.state' }>) => boolean) =>
    emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'call.state' && e.state === 'ended' && predicate(e), 10_000, 'a call to end') as Promise<Extract<JournalEntry, { kind: 'call.state' }>>;

  it('answers 488 Not Acceptable Here when no codec is common', async () => {
    const c = await caller();
    const g729Only = c.ourSdp().replace(/m=audio (\d+) RTP\/AVP [\d ]+/, 'm=audio $1 RTP/AVP 18').replace(/a=rtpmap:(0|8|101) .*\r\n/g, '').replace(/a=fmtp:101 .*\r\n/, '').replace(/^(m=audio.*)$/m, '$1\r\na=rtpmap:18 G729/8000');
    const result = await c.invite(g729Only);
    expect(result).toMatchObject({ ok: false, status: 488 });
  });

  it('takes an INVITE without SDP: offers in the 200, takes the answer from the ACK, and the caller hears the greeting', async () => {
    const c = await caller();
    const result = await c.invite(undefined, (offer) => {
      const media = negotiateSdp((parseSdp(offer) as { ok: true; value: Parameters<typeof negotiateSdp>[0] }).value);
      if (media.ok) c.rtp.setRemote(media.value.remote);
      return c.ourSdp();
    });
    expect(result.ok).toBe(true);
    c.rtp.startSending();
    await c.hears('greeting');
    if (result.ok) await result.dialog.bye();
  });

  it('ends a call that sends no RTP, and the timeline says why', async () => {
    const c = await caller();
    const gone = ended((e) => e.to === '101');
    const result = await c.invite(c.ourSdp());
    expect(result.ok).toBe(true);
    const event = await gone; // the caller never starts sending
    const call = await api('GET', `/_emulator/calls/${event.callId}`);
    expect(call.endReason).toMatch(/no RTP from the caller for 400 ms/);
    expect(call.timeline.some((t: { text: string }) => t.text.includes('BYE (no RTP'))).toBe(true);
  });

  it('at the concurrency limit, answers the next caller with "no agents available" and hangs up', async () => {
    const first = await caller();
    const firstCall = await first.invite(first.ourSdp());
    expect(firstCall.ok).toBe(true);
    first.rtp.startSending();
    await first.hears('greeting');

    const second = await caller();
    const hungUp = ended((e) => e.reason === 'concurrent SIP call limit reached');
    const secondCall = await second.invite(second.ourSdp());
    expect(secondCall.ok).toBe(true);
    if (secondCall.ok) second.startMedia(secondCall.response.body.toString());
    await second.hears('noAgents');
    await hungUp;
    if (firstCall.ok) await firstCall.dialog.bye();
  });

  it('answers a hold re-INVITE with the matching direction and stays up', async () => {
    const c = await caller();
    const result = await c.invite(c.ourSdp());
    if (!result.ok) throw new Error('call failed');
    c.rtp.startSending();
    const hold = await result.dialog.request('INVITE', { body: c.ourSdp().replace('a=sendrecv', 'a=sendonly'), contentType: 'application/sdp' });
    expect(hold.ok && hold.response.status).toBe(200);
    expect(hold.ok && hold.response.body.toString()).toMatch(/a=recvonly/);
    const resume = await result.dialog.request('INVITE', { body: c.ourSdp(), contentType: 'application/sdp' });
    expect(resume.ok && resume.response.body.toString()).toMatch(/a=sendrecv/);
    await result.dialog.bye();
  });

  it('keeps one o= session id for the call and a new version for each change, even a hold and a resume within one second (RFC 3264 §8)', async () => {
    const c = await caller();
    const origin = (sdp: string) => {
      const [, id, version] = /^o=\S+ (\d+) (\d+) /m.exec(sdp) ?? [];
      return { id, version: Number(version) };
    };
    const result = await c.invite(c.ourSdp());
    if (!result.ok) throw new Error('call failed');
    c.rtp.startSending();
    const answer = origin(result.response.body.toString());
    const reInvite = async (sdp: string) => {
      const answered = await result.dialog.request('INVITE', { body: sdp, contentType: 'application/sdp' });
      if (!answered.ok) throw new Error('re-INVITE failed');
      return answered.response.body.toString();
    };
    // The same offer again (a session refresh) changes nothing: same version (§8: "MUST be the same").
    const refresh = origin(await reInvite(c.ourSdp()));
    const hold = origin(await reInvite(c.ourSdp().replace('a=sendrecv', 'a=sendonly')));
    const resume = origin(await reInvite(c.ourSdp()));
    expect([refresh.id, hold.id, resume.id]).toEqual([answer.id, answer.id, answer.id]);
    expect(refresh.version).toBe(answer.version);
    expect(hold.version).toBe(answer.version + 1);
    expect(resume.version).toBe(answer.version + 2);
    await result.dialog.bye();
  });
});
