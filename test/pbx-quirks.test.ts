import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Call } from '../emulator/generated/index.js';
import type { JournalEntry } from '../emulator/journal/index.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { onlineHandoffConnection } from './support/world.js';

type Entry<K extends JournalEntry['kind']> = Extract<JournalEntry, { kind: K }>;

/**
 * The built-in PBX's quirks against the emulator's own listener: what the agent's side does when
 * the PBX behaves like Asterisk, FreeSWITCH, 3CX or an SBC chain (control-openapi.yaml, PbxQuirks).
 * A short T1 makes the REFER's 64*T1 waits short.
 */
describe('PBX quirks, seen from the listener', () => {
  let emulator: RunningEmulator;
  let keyCount = 0;
  const key = () => `quirks-${++keyCount}`;
  const waitFor = <K extends JournalEntry['kind']>(kind: K, match: (e: Entry<K>) => boolean, what: string, ms = 15_000) =>
    emulator.control.journal.waitFor((e: JournalEntry) => e.kind === kind && match(e as Entry<K>), ms, what) as Promise<Entry<K>>;
  let testStart = 0;
  const quirkEntries = () => emulator.control.getJournal({ kind: ['pbx.quirk'], since: testStart }).items as Array<Entry<'pbx.quirk'>>;

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent', sipTimers: { T1: 50 }, rtpTimeoutMs: 1500 });
  });
  beforeEach(() => {
    testStart = emulator.control.journal.lastSeq;
  });
  afterEach(() => emulator.control.reset());
  afterAll(() => emulator?.close());

  /** A caller from the emulator's softphones in a call with the agent of an online connection with handoff to 200; 200 answers. */
  async function callWithHandoff() {
    const { connectionId, api } = await onlineHandoffConnection(emulator, key());
    await api('POST', '/_emulator/softphones', { username: '200', password: 'human' });
    const placed = (await api('POST', '/_emulator/calls', { from: 'caller', to: '101' })) as Call;
    await waitFor('call.state', (e) => e.callId === placed.id && e.state === 'active', 'the agent to answer');
    return { connectionId, api, callId: placed.id };
  }

  describe('the control API', () => {
    it('reads and replaces the PBX-wide quirks, refuses an unknown one with what exists, and forgets them on reset', async () => {
      const url = `${emulator.url}/_emulator/pbx/quirks`;
      const put = (body: unknown) => fetch(url, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      expect(await (await fetch(url)).json()).toEqual({});
      expect(await (await put({ strictDigestUri: true, registerRejected: 405 })).json()).toEqual({ strictDigestUri: true, registerRejected: 405 });
      const bad = await put({ strictDigestURI: true });
      expect(bad.status).toBe(400);
      expect(emulator.control.getPbxQuirks()).toEqual({ strictDigestUri: true, registerRejected: 405 });
      const account = await fetch(`${emulator.url}/_emulator/pbx/accounts/101`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ password: 'pw', quirks: { registerRejected: null } }) });
      expect(await account.json()).toMatchObject({ username: '101', source: 'control', quirks: { registerRejected: null } });
      await emulator.control.reset();
      expect(emulator.control.getPbxQuirks()).toEqual({});
      expect(emulator.control.listPbxAccounts().items.find((a) => a.username === '101')).toBeUndefined();
    });
  });

  describe('strictDigestUri (Asterisk chan_pjsip, FreeSWITCH)', () => {
    it('the listener signs its exact Request-URI, so it registers where a sloppy client would get 401 again', async () => {
      emulator.control.putPbxQuirks({ strictDigestUri: true });
      const { connectionId } = await onlineHandoffConnection(emulator, key());
      const registers = emulator.control.getJournal({ kind: ['sip'], connectionId }).items.filter((e): e is Entry<'sip'> => e.kind === 'sip' && e.direction === 'out' && e.method === 'REGISTER');
      const signed = registers.find((e) => /Authorization:/i.test(e.text))!;
      const requestUri = /^REGISTER (\S+) SIP\/2\.0/.exec(signed.text)![1];
      expect(signed.text).toContain(`uri="${requestUri}"`);
      expect(quirkEntries()).toEqual([]);
    });
  });

  describe('registerRejected (a trunk-only port)', () => {
    it.each([
      [405, 'SIP registration failed: 405 Method Not Allowed'],
      [501, 'SIP registration failed: 501 Not Implemented'],
    ] as const)('%i: the error log says "%s", the connection stays Running/registering and retries', async (status, message) => {
      emulator.control.putPbxAccount('101', { password: 'pw', quirks: { registerRejected: status } });
      const api = (await onlineHandoffConnectionPending(key())).api;
      const { connectionId } = api;
      const failed = await waitFor('registration', (e) => e.connectionId === connectionId && e.phase === 'failed', 'the REGISTER to be refused');
      expect(failed).toMatchObject({ code: status, message });
      const errors = (await api.get(`/public/sip-connections/${connectionId}/errors`)) as Array<{ code: number; message: string }>;
      expect(errors).toContainEqual(expect.objectContaining({ code: status, message }));
      expect(await api.post(`/public/sip-connections/${connectionId}/status`)).toMatchObject({ status: { lifecycleStatus: 'Running', sipStatus: 'registering' } });
      expect(quirkEntries()).toContainEqual(expect.objectContaining({ quirk: 'registerRejected', account: '101' }));
    });
  });

  describe('extraProxyHop (an SBC in front of the PBX)', () => {
    it('the agent answers through two Record-Route hops and hands the caller off by REFER with both Routes, SBC first', async () => {
      emulator.control.putPbxQuirks({ extraProxyHop: true });
      const { connectionId, api, callId } = await callWithHandoff();
      const ended = waitFor('call.state', (e) => e.callId === callId && e.state === 'ended', 'the agent to leave after the handoff');
      await api('POST', `/_emulator/calls/${callId}/dtmf`, { digits: '0' });
      expect(await ended).toMatchObject({ reason: 'transferred to 200' });
      expect(((await api('GET', `/_emulator/calls/${callId}`)) as Call).transfer).toMatchObject({ status: 200, outcome: 'succeeded' });
      const sip = emulator.control.getJournal({ kind: ['sip'], connectionId }).items as Array<Entry<'sip'>>;
      const invite = sip.find((e) => e.direction === 'in' && e.method === 'INVITE')!;
      expect(invite.text.match(/^Record-Route: .*$/gim)).toEqual([expect.stringMatching(/;hop=sbc>/), expect.not.stringMatching(/hop=sbc/)]);
      const refer = sip.find((e) => e.direction === 'out' && e.method === 'REFER')!;
      expect(refer.text.match(/^Route: .*$/gim)).toEqual([expect.stringMatching(/;hop=sbc>/), expect.not.stringMatching(/hop=sbc/)]);
      expect(sip.some((e) => e.direction === 'in' && e.status === 403)).toBe(false);
      expect(quirkEntries()).toContainEqual(expect.objectContaining({ quirk: 'extraProxyHop', account: '101', text: 'INVITE record-routed by two hops (an SBC\'s Record-Route on top of the PBX\'s)' }));
    });
  });

  describe('refer (a B2BUA that takes the REFER itself)', () => {
    it.each([
      ['noNotify', 'transfer to sip:200@pbx.example timed out (no final NOTIFY)'],
      ['noFinalNotify', 'transfer to sip:200@pbx.example timed out (no final NOTIFY; the last said SIP/2.0 100 Trying)'],
    ] as const)('%s: the PBX answers 202, the transfer times out with 408 in the call and the error log, the agent stays on', async (refer, text) => {
      emulator.control.putPbxAccount('101', { password: 'pw', quirks: { refer } });
      const since = emulator.control.journal.lastSeq;
      const { connectionId, api, callId } = await callWithHandoff();
      const failed = waitFor('transfer', (e) => e.callId === callId && e.phase === 'failed', 'the transfer to time out');
      await api('POST', `/_emulator/calls/${callId}/dtmf`, { digits: '0' });
      expect(await failed).toMatchObject({ status: 408, text });
      const call = (await api('GET', `/_emulator/calls/${callId}`)) as Call;
      expect(call).toMatchObject({ state: 'active', transfer: { target: 'sip:200@pbx.example', status: 408, outcome: 'failed' } });
      const errors = (await api('GET', `/public/sip-connections/${connectionId}/errors`)) as Array<{ code: number; message: string }>;
      expect(errors).toContainEqual({ timestamp: expect.any(String), code: 408, message: `Human handoff failed: ${text}` });
      const sip = emulator.control.getJournal({ kind: ['sip'], connectionId }).items as Array<Entry<'sip'>>;
      expect(sip.filter((e) => e.direction === 'in' && e.method === 'NOTIFY').map((e) => /\r\n\r\n(.*)\r\n$/s.exec(e.text)?.[1])).toEqual(refer === 'noNotify' ? [] : ['SIP/2.0 100 Trying']);
      expect(quirkEntries()).toContainEqual(expect.objectContaining({ quirk: 'refer', account: '101' }));
      // The caller never saw the REFER, and can still hang up in order (the PBX's NOTIFY kept its CSeq).
      expect(emulator.control.getJournal({ kind: ['sip'], since }).items.some((e) => e.kind === 'sip' && e.party === 'softphone:caller' && e.method === 'REFER')).toBe(false);
      const answered = waitFor('sip', (e) => e.party === `listener:${connectionId}` && e.direction === 'out' && e.status !== undefined && / BYE$/.test(e.cseq ?? ''), 'the agent to answer the caller\'s BYE');
      await emulator.control.hangupCall(callId);
      expect((await answered).status).toBe(200);
    });
  });

  describe('rtpStopsAfterMs (a media-anchoring PBX whose relay loses the stream)', () => {
    it('the caller\'s RTP stops reaching the agent, whose RTP timeout ends the call and says so', async () => {
      emulator.control.putPbxAccount('101', { password: 'pw', quirks: { rtpStopsAfterMs: 300 } });
      const { api, callId } = await callWithHandoff();
      const ended = await waitFor('call.state', (e) => e.callId === callId && e.state === 'ended', 'the agent to end the call');
      expect(ended.reason).toBe('no RTP from the caller for 1500 ms');
      const call = (await api('GET', `/_emulator/calls/${callId}`)) as Call;
      expect(call.timeline.map((t) => t.text)).toEqual(expect.arrayContaining([expect.stringMatching(/PBX quirk rtpStopsAfterMs: the PBX's media relay stops passing the caller's RTP 300 ms after the answer/)]));
      expect(call.endReason).toBe('no RTP from the caller for 1500 ms');
      expect(quirkEntries()).toContainEqual(expect.objectContaining({ quirk: 'rtpStopsAfterMs', account: '101', sipCallId: call.callId }));
    });
  });

  /** A connection for 101 on the built-in PBX that is not waited for (its registration may fail). */
  async function onlineHandoffConnectionPending(apiKey: string) {
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': apiKey, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return (res.status === 204 ? undefined : await res.json()) as any;
    };
    const agent = await call('POST', '/public/agents', { companionId: 'c', voiceId: 'alloy', providerSettings: {} });
    const conn = await call('POST', '/public/sip-connections', { agentId: agent.id, settings: { server: 'pbx.example', port: 5060, domain: 'pbx.example', username: '101', password: 'pw', transport: 'UDP' } });
    return { api: { connectionId: conn.id as string, get: (path: string) => call('GET', path), post: (path: string) => call('POST', path) } };
  }
});

describe('the pbxQuirks option', () => {
  it('starts the PBX with them, a reset returns to them, and the journal\'s first entry names them for replay', async () => {
    const emulator = await startEmulator({ apiPort: 0, sipPort: 0, logLevel: 'silent', pbxQuirks: { extraProxyHop: true } });
    try {
      expect(emulator.control.getPbxQuirks()).toEqual({ extraProxyHop: true });
      emulator.control.putPbxQuirks({});
      await emulator.control.reset();
      expect(emulator.control.getPbxQuirks()).toEqual({ extraProxyHop: true });
      expect(emulator.control.getJournal({ kind: ['emulator.started'] }).items[0]).toMatchObject({ options: { pbxQuirks: { extraProxyHop: true } } });
    } finally {
      await emulator.close();
    }
  });

  it('refuses an unknown quirk at start, naming the known ones', async () => {
    await expect(startEmulator({ apiPort: 0, sipPort: 0, logLevel: 'silent', pbxQuirks: { strictDigest: true } as never })).rejects.toThrow(
      /invalid option: pbxQuirks: unknown quirk 'strictDigest'; the quirks are strictDigestUri, fromMustMatchAuthUser,/,
    );
  });
});
