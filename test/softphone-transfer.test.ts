import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Pbx } from '../emulator/pbx/index.js';
import { answerSdp, buildSdp, parseSdp, RtpSession } from '../media/index.js';
import { UserAgent, type Dialog, type IncomingInvite } from '../sip/dialog/index.js';
import { createNetworkTransport, SipStack, type Endpoint } from '../sip/index.js';
import { RegisterClient } from '../sip/useragent/RegisterClient.js';
import { realScheduler } from '../sip/useragent/Scheduler.js';
import { Softphone, type SoftphoneCall, type SoftphoneOptions } from '../softphone/index.js';
import { heardTone, nextIncoming, untilEvent } from '../softphone/softphone.case.js';

let pbx: Pbx;
let server: Endpoint;
const cleanup: Array<() => Promise<unknown> | void> = [];

beforeAll(async () => {
  pbx = await Pbx.start({ port: 0, accounts: [{ username: 'alice', password: 'a' }, { username: 'bob', password: 'b' }, { username: '200', password: 'h' }] });
  server = { protocol: 'UDP', address: '127.0.0.1', port: pbx.ports.udp ?? 0 };
});
afterAll(async () => {
  await pbx.close();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function phone(username: string, password: string, extra: Partial<SoftphoneOptions> = {}): Promise<Softphone> {
  const started = await Softphone.start({ username, password, domain: 'pbx.test', server, ...extra });
  cleanup.push(() => started.stop());
  return started;
}

/** A bare user agent registered as bob, built on the dialog API: it answers calls and can REFER and re-INVITE them. */
async function transferor(): Promise<{ ua: UserAgent; nextDialog(): Promise<Dialog> }> {
  const stack = new SipStack({ transport: await createNetworkTransport({ address: '127.0.0.1', port: 0, protocols: ['UDP'] }) });
  const ua = new UserAgent(stack, { contact: `sip:bob@${stack.viaHost('UDP')};transport=udp` });
  const rtp = await RtpSession.open();
  if (!rtp.ok) throw new Error(rtp.error.message);
  const registered = new Promise<void>((resolve, reject) => {
    const client = new RegisterClient({
      stack,
      destination: server,
      serverLabel: 'the test PBX',
      username: 'bob',
      password: 'b',
      domain: 'pbx.test',
      scheduler: realScheduler,
      onRegistered: () => resolve(),
      onFailed: (failure) => reject(new Error(failure.message)),
    });
    client.start();
    cleanup.push(async () => {
      await client.stop({ unregister: true });
      ua.close();
      await rtp.value.stop();
      await stack.close();
    });
  });
  await registered;
  const waiting: Array<(dialog: Dialog) => void> = [];
  ua.onInvite((call: IncomingInvite) => {
    const answer = answerSdp(call.offer ?? '', { port: rtp.value.localPort });
    if (!answer.ok) return void call.reject(488);
    rtp.value.setRemote(answer.value.media.remote);
    const dialog = call.answer({ sdp: answer.value.sdp });
    if (dialog) waiting.shift()?.(dialog);
  });
  return { ua, nextDialog: () => new Promise((resolve) => waiting.push(resolve)) };
}

describe('Softphone as transferee (RFC 3515, RFC 5589 basic transfer)', () => {
  it('follows a REFER: calls the target through the PBX, NOTIFYs 100 then 200, emits transferred, and the new call carries audio', async () => {
    const bob = await transferor();
    const alice = await phone('alice', 'a');
    const human = await phone('200', 'h');
    const dialogAtBob = bob.nextDialog();
    const original = alice.call('bob');
    expect(await original.answered).toEqual({ ok: true });
    const dialog = await dialogAtBob;

    const referred = new Promise<{ referTo: string }>((resolve) => original.once('refer', resolve));
    const transferred = new Promise<SoftphoneCall>((resolve) => original.once('transferred', resolve));
    const atHuman = nextIncoming(human);
    const transfer = dialog.refer('sip:200@pbx.test');
    const progress: string[] = [];
    transfer.on('progress', (frag) => progress.push(frag.statusLine));
    const accepted = await transfer.accepted;
    expect(accepted.ok && accepted.response.status).toBe(202);
    expect(await referred).toEqual({ referTo: 'sip:200@pbx.test' });
    const outcome = await transfer.outcome;
    expect(outcome).toMatchObject({ status: 200, ended: 'notified' });
    expect(progress).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 200 OK']);

    const newCall = await transferred;
    expect(newCall.remote).toBe('sip:200@pbx.test');
    expect(newCall.state).toBe('active');
    expect(alice.calls()).toContain(newCall);
    const humanCall = await atHuman;
    expect(humanCall.callId).toBe(newCall.callId);
    expect(original.state).toBe('active');

    await dialog.bye();
    expect(await original.ended).toEqual({ reason: 'transferred' });
    expect(alice.calls()).toEqual([newCall]);

    await newCall.playTone(1000, 300, 0.5);
    await untilEvent(humanCall, 'audio', () => heardTone(humanCall.recording(), 1000));
    await humanCall.playTone(1400, 300, 0.5);
    await untilEvent(newCall, 'audio', () => heardTone(newCall.recording(), 1400));
  });

  it('reports a busy target in the last NOTIFY (486) and keeps the original call', async () => {
    const bob = await transferor();
    const alice = await phone('alice', 'a');
    await phone('200', 'h', { autoAnswer: { status: 486 } });
    const dialogAtBob = bob.nextDialog();
    const original = alice.call('bob');
    await original.answered;
    const dialog = await dialogAtBob;
    let transferred = false;
    original.on('transferred', () => (transferred = true));

    const transfer = dialog.refer('sip:200@pbx.test');
    const progress: string[] = [];
    transfer.on('progress', (frag) => progress.push(frag.statusLine));
    expect(await transfer.outcome).toMatchObject({ status: 486, ended: 'notified' });
    expect(progress).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 486 Busy Here']);
    expect(transferred).toBe(false);
    expect(original.state).toBe('active');
    await original.hangup();
    expect(await original.ended).toEqual({ reason: 'hangup' });
  });

  it('hangs up the original call itself when the transferor sends no BYE after the transfer', async () => {
    const bob = await transferor();
    const alice = await phone('alice', 'a', { transferHangupAfterMs: 100 });
    await phone('200', 'h');
    const dialogAtBob = bob.nextDialog();
    const original = alice.call('bob');
    await original.answered;
    const dialog = await dialogAtBob;
    expect(await dialog.refer('sip:200@pbx.test').outcome).toMatchObject({ status: 200 });
    expect(await dialog.ended).toMatchObject({ by: 'remote', cause: 'bye' });
    expect(await original.ended).toEqual({ reason: 'transferred' });
  });

  it('answers hold and resume re-INVITEs with the matching direction', async () => {
    const bob = await transferor();
    const alice = await phone('alice', 'a');
    const dialogAtBob = bob.nextDialog();
    const call = alice.call('bob');
    await call.answered;
    const dialog = await dialogAtBob;
    const holds: boolean[] = [];
    call.on('hold', (onHold) => holds.push(onHold));

    const reinvite = async (direction: 'sendonly' | 'sendrecv') => {
      const result = await dialog.request('INVITE', { body: buildSdp({ port: 40000, direction, sessionId: 7, sessionVersion: direction === 'sendonly' ? 2 : 3 }), contentType: 'application/sdp' });
      if (!result.ok) throw new Error(`re-INVITE failed: ${result.reason}`);
      expect(result.response.status).toBe(200);
      const answer = parseSdp(result.response.body.toString('utf8'));
      if (!answer.ok) throw new Error(answer.error.message);
      return answer.value.direction;
    };
    expect(await reinvite('sendonly')).toBe('recvonly');
    expect(await reinvite('sendrecv')).toBe('sendrecv');
    expect(holds).toEqual([true, false]);
    expect(call.state).toBe('active');
  });

  it('answers 488 to an INVITE whose offer has no codec in common', async () => {
    const bob = await transferor();
    await phone('alice', 'a');
    const offer = 'v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n';
    const result = await bob.ua.invite({ target: 'sip:alice@pbx.test', from: 'sip:bob@pbx.test', destination: server, sdp: offer }).result;
    expect(result).toMatchObject({ ok: false, status: 488 });
  });
});
