import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Pbx } from '../emulator/pbx/index.js';
import { concatPcm, goertzel, readWavFile, silence, sine, writeWav } from '../media/index.js';
import { Softphone } from '../softphone/index.js';
import { heardTone, nextIncoming, untilEvent } from '../softphone/softphone.case.js';
import { startBaresip, type Baresip } from './support/baresip.js';
import { peerAvailable, skipReason } from './support/peers.js';

const available = peerAvailable('baresip');
const domain = 'sip.your-provider.com';

/**
 * Interop: the softphone and baresip 1.0 (headless: its microphone a WAV file of a 1400 Hz tone,
 * its ears sndfile's recording) call each other through the built-in PBX.
 */
describe.skipIf(!available)(available ? 'Softphone and baresip through the built-in PBX' : `Softphone and baresip (skipped: ${skipReason('baresip')})`, () => {
  let pbx: Pbx;
  let dir: string;
  let microphone: string;
  let baresip: Baresip | undefined;
  let softphone: Softphone | undefined;

  beforeAll(async () => {
    // baresip 1.0 gives up on a challenge that also offers SHA-256 ("Register: Function not implemented").
    pbx = await Pbx.start({ port: 0, accounts: [{ username: 'alice', password: 'a' }, { username: '200', password: 'h' }], digest: { algorithms: ['MD5'] } });
    dir = mkdtempSync(join(tmpdir(), 'omnisip-softphone-baresip-'));
    microphone = join(dir, 'baresip.wav');
    writeFileSync(microphone, writeWav(concatPcm([silence(200), sine(1400, { amplitude: 0.5, durationMs: 10_000 })])));
  });
  afterEach(async () => {
    await softphone?.stop();
    await baresip?.stop();
    softphone = undefined;
    baresip = undefined;
  });
  afterAll(async () => {
    await pbx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function startPeers(params: string[]): Promise<{ phone: Softphone; peer: Baresip }> {
    const peer = await startBaresip({
      accounts: [{ username: '200', password: 'h', domain, outboundProxy: { host: '127.0.0.1', port: pbx.ports.udp! }, params }],
      modules: ['g711.so', 'aufile.so', 'aubridge.so'],
      settings: { audio_source: `aufile,${microphone}`, audio_player: 'aubridge,omnisip' },
      control: true,
      record: true,
    });
    baresip = peer;
    await peer.waitForOutput(/200 OK/);
    const phone = await Softphone.start({ username: 'alice', password: 'a', domain, server: { protocol: 'UDP', address: '127.0.0.1', port: pbx.ports.udp! } });
    softphone = phone;
    return { phone, peer };
  }

  it('calls baresip (auto answer): audio both ways, RFC 4733 DTMF, hang-up', async () => {
    const { phone, peer } = await startPeers(['answermode=auto']);
    const call = phone.call('200');
    expect(await call.answered).toEqual({ ok: true });
    await untilEvent(call, 'audio', () => heardTone(call.recording(), 1400));
    await call.playTone(1000, 600, 0.5);
    await call.sendDtmf('5');
    await peer.waitForOutput(/received event: '5' \(end=1\)/);
    await call.hangup();
    await peer.waitForOutput(/terminated/);
    await peer.stop();
    const { heard } = peer.recordings();
    const recording = await readWavFile(heard[0]!);
    if (!recording.ok) throw new Error(recording.error.message);
    expect(goertzel(recording.value.samples, 1000)).toBeGreaterThan(0.05);
  }, 30_000);

  it('takes a call from baresip: answers, hears it, and sees its BYE', async () => {
    const { phone, peer } = await startPeers([]);
    const incoming = nextIncoming(phone);
    expect(await peer.command('dial', `sip:alice@${domain}`)).toMatchObject({ ok: true });
    const call = await incoming;
    expect(await call.answered).toEqual({ ok: true });
    expect(call.remote).toBe(`sip:200@${domain}`);
    await untilEvent(call, 'audio', () => heardTone(call.recording(), 1400));
    expect(await peer.command('hangup')).toMatchObject({ ok: true });
    expect(await call.ended).toEqual({ reason: 'remote-hangup' });
  }, 30_000);
});
