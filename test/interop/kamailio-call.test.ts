import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goertzel, promptHeard } from '../../media/index.js';
import { Softphone, type SoftphoneCall } from '../../softphone/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/startEmulator.js';
import { startKamailio, type Kamailio } from '../support/kamailio.js';
import { peerAvailable, skipReason } from '../support/peers.js';
import { guideAgent } from '../support/world.js';

const available = peerAvailable('kamailio');

/** The whole call, with Kamailio as the PBX: the listener registers there, the caller and the human call through it. */
describe.skipIf(!available)(available ? 'a call through Kamailio' : `a call through Kamailio (skipped: ${skipReason('kamailio')})`, () => {
  let kamailio: Kamailio;
  let emulator: RunningEmulator;
  const phones: Softphone[] = [];

  beforeAll(async () => {
    kamailio = await startKamailio({ users: { '101': 'agent-pw', '200': 'human-pw' } });
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent' });
  });
  afterAll(async () => {
    await Promise.allSettled(phones.map((p) => p.stop()));
    await emulator?.close();
    await kamailio?.stop();
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': 'kamailio-call', 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (res.status === 204 ? undefined : await res.json()) as any;
  };

  const waitFor = <T>(what: string, check: () => T | undefined, onChange: (listener: () => void) => () => void, timeoutMs = 10_000) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const stop = onChange(() => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        stop();
        resolve(value);
      });
    });
  const hears = (call: SoftphoneCall, heard: (pcm: Int16Array) => boolean, what: string) =>
    waitFor(what, () => (heard(call.recording()) ? true : undefined), (listener) => {
      call.on('audio', listener);
      return () => call.off('audio', listener);
    });

  it.each(['UDP', 'TCP'] as const)('over %s: the caller hears the greeting, DTMF 0 transfers it to 200 through Kamailio, 200 hears the caller', async (transport) => {
    const agent = await api('POST', '/public/agents', guideAgent);
    await api('PUT', `/public/agents/${agent.id}/channels/sip`, { humanHandoff: { enabled: true, transferExtension: '200' } });
    const conn = await api('POST', '/public/sip-connections', {
      agentId: agent.id,
      settings: { server: '127.0.0.1', port: kamailio.port, domain: '127.0.0.1', username: '101', password: 'agent-pw', transport },
    });
    await emulator.control.waitForStatus(conn.id, (s) => s.sipStatus === 'online');

    const server = { protocol: transport, address: '127.0.0.1', port: kamailio.port };
    const human = await Softphone.start({ username: '200', password: 'human-pw', domain: '127.0.0.1', server, autoAnswer: { status: 200 } });
    const caller = await Softphone.start({ username: `caller-${transport}`, domain: '127.0.0.1', server, register: false });
    phones.push(human, caller);
    const incoming = new Promise<SoftphoneCall>((resolve) => human.once('incoming', resolve));

    const call = caller.call('sip:101@127.0.0.1');
    expect(await call.answered).toEqual({ ok: true });
    await hears(call, (pcm) => promptHeard(pcm, 'greeting'), 'the greeting');

    const transferred = new Promise<SoftphoneCall>((resolve) => call.once('transferred', resolve));
    await call.sendDtmf('0');
    const next = await transferred;
    const atHuman = await incoming;
    expect(await call.ended).toMatchObject({ reason: 'transferred' });
    await emulator.control.waitForStatus(conn.id, (s) => s.sipStatus === 'online');

    const heard = hears(atHuman, (pcm) => goertzel(pcm.subarray(-8000), 1000) > 0.05, '200 to hear the caller');
    await next.playTone(1000, 600, 0.5);
    await heard;
    await next.hangup();
    await atHuman.ended;
    await api('DELETE', `/public/sip-connections/${conn.id}`);
    await human.stop();
    await caller.stop();
  });
});
