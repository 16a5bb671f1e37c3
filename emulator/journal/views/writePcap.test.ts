import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { peerAvailable, skipReason } from '../../../test/support/peers.js';
import type { CapturedPacket } from '../../core/calls.js';
import { writePcap } from './writePcap.js';

const invite = Buffer.from(
  'INVITE sip:101@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK1\r\nFrom: <sip:caller@x>;tag=1\r\nTo: <sip:101@x>\r\nCall-ID: pcap-test\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
);
const ok = Buffer.from('SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1:5080;branch=z9hG4bK2\r\nFrom: <sip:caller@x>;tag=1\r\nTo: <sip:101@x>;tag=2\r\nCall-ID: pcap-test\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n');
const rtp = Buffer.concat([Buffer.from([0x80, 0x00, 0x00, 0x01, 0, 0, 0, 160, 0, 0, 0, 42]), Buffer.alloc(160, 0xff)]);

const packets: CapturedPacket[] = [
  { at: 1_700_000_000_000, protocol: 'UDP', source: { address: '127.0.0.1', port: 5080 }, destination: { address: '127.0.0.1', port: 5070 }, payload: invite },
  { at: 1_700_000_000_020, protocol: 'UDP', source: { address: '127.0.0.1', port: 40000 }, destination: { address: '127.0.0.1', port: 40002 }, payload: rtp },
  { at: 1_700_000_000_040, protocol: 'TCP', source: { address: '127.0.0.1', port: 5070 }, destination: { address: '127.0.0.1', port: 5080 }, payload: ok },
];

describe('writePcap', () => {
  it('writes a pcap header and one record per packet, in time order', () => {
    const file = writePcap([...packets].reverse());
    expect(file.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(file.readUInt32LE(20)).toBe(101);
    const firstLength = file.readUInt32LE(24 + 8);
    expect(firstLength).toBe(20 + 8 + invite.length);
    expect(file.subarray(24 + 16 + 28, 24 + 16 + 28 + 6).toString()).toBe('INVITE');
  });

  const hasTshark = peerAvailable('tshark');
  it.skipIf(!hasTshark)(hasTshark ? 'reads back in tshark as SIP over UDP and TCP, and RTP' : `reads back in tshark (skipped: ${skipReason('tshark')})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnisip-pcap-'));
    const path = join(dir, 'call.pcap');
    writeFileSync(path, writePcap(packets));
    const out = execFileSync('tshark', ['-r', path, '-d', 'udp.port==40002,rtp', '-T', 'fields', '-e', 'frame.protocols', '-e', 'sip.Method', '-e', 'sip.Status-Code'], { encoding: 'utf8' });
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/udp:sip\tINVITE/);
    expect(lines[1]).toMatch(/udp:rtp/);
    expect(lines[2]).toMatch(/tcp:sip\t\t200/);
    expect(spawnSync('tshark', ['-r', path]).status).toBe(0);
  });
});
