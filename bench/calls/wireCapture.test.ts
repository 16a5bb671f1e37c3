import { once } from 'node:events';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRtpPacket } from '../../media/rtpPacket.js';
import { peerAvailable, skipReason } from '../../test/support/peers.js';
import { startWireCapture } from './wireCapture.js';
import { wireJitter } from './wireJitter.js';

const hasDumpcap = peerAvailable('dumpcap');

async function bound(): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return socket;
}

describe.skipIf(!hasDumpcap)(`startWireCapture${hasDumpcap ? '' : ` (${skipReason('dumpcap')})`}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnisip-wire-test-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("captures real RTP on lo with the kernel's timestamps, and no SIP at all", async () => {
    const started = await startWireCapture(join(dir, 'rtp.pcap'));
    if (!started.ok) throw new Error(started.reason);
    const [sender, receiver] = [await bound(), await bound()];
    const port = receiver.address().port;
    const from = Date.now();
    let arrived = 0;
    const all = new Promise<void>((resolve) => receiver.on('message', () => ++arrived === 11 && resolve()));
    // A SIP request with a password in it, which the capture must not hold any of.
    sender.send(Buffer.from('REGISTER sip:pbx.example SIP/2.0\r\nAuthorization: Digest username="101", password="s3cret-wire"\r\n\r\n'), port, '127.0.0.1');
    // Ten packets sent back to back that say they are 20 ms apart: each arrives ~20 ms early.
    for (let i = 0; i < 10; i++) sender.send(encodeRtpPacket({ payloadType: 0, sequenceNumber: i, timestamp: i * 160, ssrc: 1, payload: new Uint8Array(160) }), port, '127.0.0.1');
    await all;
    const to = Date.now();
    await started.capture.stop();
    sender.close();
    receiver.close();

    const file = readFileSync(started.capture.file);
    expect(file.includes('REGISTER')).toBe(false);
    expect(file.includes('s3cret-wire')).toBe(false);
    const measured = wireJitter(file, { toPorts: new Set([port]), fromMs: from - 1, toMs: to + 1 });
    if (!measured.ok) throw new Error(measured.reason);
    expect(measured.value).toMatchObject({ packets: 10, streams: 1 });
    // Sent within a few ms of each other: each step is 20 ms of audio in (almost) no time.
    expect(measured.value.deviationMs!.p50).toBeGreaterThan(15);
    expect(measured.value.deviationMs!.p50).toBeLessThanOrEqual(20.01);
  });

  it('says why it cannot capture', async () => {
    const started = await startWireCapture(join(dir, 'none.pcap'), { iface: 'omnisip-no-such-interface' });
    expect(started.ok).toBe(false);
    expect(!started.ok && started.reason).toMatch(/dumpcap could not capture on omnisip-no-such-interface: .*no device|There is no device/i);
  });
});
