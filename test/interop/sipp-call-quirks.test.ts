import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../emulator/journal/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/startEmulator.js';
import { freeUdpTcpPort, peerAvailable, skipReason } from '../support/peers.js';
import { runSipp, scenarioPath } from '../support/sipp.js';
import { onlineHandoffConnection } from '../support/world.js';

const available = peerAvailable('sipp');
const phone = { username: '300', password: 'sipp-secret' };

/**
 * SIPp, a real UAC, as a phone of the PBX under the call-setup quirks challengeInvites and
 * require100rel: it answers the PBX's 407 with its own digest, and requires reliable provisional
 * responses, which the agent's listener sends (RSeq) and waits to have PRACKed before its 200.
 */
describe.skipIf(!available)(available ? 'SIPp under the call-setup quirks' : `SIPp under the call-setup quirks (skipped: ${skipReason('sipp')})`, () => {
  let emulator: RunningEmulator;
  let connectionId: string;

  beforeAll(async () => {
    // SIPp 3.6 answers only the first challenge, and only MD5.
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent', digestAlgorithms: ['MD5'] });
    ({ connectionId } = await onlineHandoffConnection(emulator, 'sipp-quirks'));
    emulator.control.putPbxAccount(phone.username, { password: phone.password, quirks: { challengeInvites: true, require100rel: true } });
  });
  afterAll(() => emulator?.close());

  it('407, INVITE with Proxy-Authorization, reliable 180, PRACK, 200 PRACK, 200 INVITE, ACK, BYE', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'omnisip-sipp-quirks-')), 'messages.log');
    const run = await runSipp({
      target: `127.0.0.1:${emulator.ports.sip}`,
      scenario: scenarioPath('call-407-100rel.xml'),
      rows: [`${phone.username};101;pbx.example;[authentication username=${phone.username} password=${phone.password}]`],
      transport: 'UDP',
      timeoutSeconds: 20,
      extraArgs: ['-mp', String(await freeUdpTcpPort()), '-trace_msg', '-message_file', file],
    });
    let messages = '';
    try {
      messages = readFileSync(file, 'utf8');
    } catch {
      // SIPp did not get far enough to write it.
    }
    expect(run.exitCode, `SIPp exit ${run.exitCode}\n${run.output.slice(-3000)}\n${messages.slice(-4000)}`).toBe(0);
    expect(run.successful).toBe(1);
    const callId = /\nCall-ID: ([^\r\n]+)/.exec(messages)?.[1];
    const atListener = emulator.control.journal
      .entries({ kinds: ['sip'], connectionId })
      .filter((e): e is Extract<JournalEntry, { kind: 'sip' }> => e.kind === 'sip' && e.sipCallId === callId && !e.retransmission)
      .map((e) => `${e.direction === 'in' ? '<' : '>'} ${e.method ?? `${e.status} ${e.cseq?.split(' ')[1]}`}`);
    expect(atListener).toEqual(['< INVITE', '> 180 INVITE', '< PRACK', '> 200 PRACK', '> 200 INVITE', '< ACK', '< BYE', '> 200 BYE']);
    expect(messages).toMatch(/SIP\/2\.0 407 Proxy Authentication Required/);
    expect(messages).toMatch(/Proxy-Authorization: Digest username="300"/);
  }, 30_000);
});
