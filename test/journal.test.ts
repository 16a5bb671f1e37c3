import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry, SipEntry } from '../emulator/journal/index.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { parseCredentials } from '../sip/index.js';
import { computeDigestResponse } from '../sip/digest/digestAlgorithm.js';
import { captureSpillFiles } from './support/captureSpillFiles.js';
import { peerAvailable, skipReason } from './support/peers.js';
import { guideAgent } from './support/world.js';

/**
 * The guide's flow and a call handed off to a softphone, read back from the one journal: the API
 * exchanges, each stack's view of the registration and of the call's ladder, the pcap made from it,
 * and no secret anywhere a user can see.
 */
describe('the journal of a whole run', () => {
  const key = 'journal-test';
  const password = `guide-secret-${process.pid}`;
  const humanPassword = `human-secret-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'omnisip-journal-'));
  const journalFile = join(dir, 'run.ndjson');
  /** Every response body the test read, and the event stream: places a secret must not reach. */
  const seenByUser: string[] = [];
  let emulator: RunningEmulator;
  let events: AbortController;
  let connectionId: string;
  let callId: string;
  let entries: JournalEntry[];

  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const bytes = Buffer.from(await res.arrayBuffer());
    seenByUser.push(bytes.toString('latin1'));
    const json = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, body: (json ? JSON.parse(bytes.toString('utf8')) : bytes) as any };
  };
  const sipOf = (party: string) => entries.filter((e): e is SipEntry => e.kind === 'sip' && e.party === party);
  /** `out INVITE`, `in 180 INVITE`: a party's view of messages, without 100 Trying and retransmissions. */
  const ladder = (messages: SipEntry[]) =>
    messages.filter((m) => m.status !== 100 && !m.retransmission).map((m) => `${m.direction} ${m.method ?? `${m.status} ${m.cseq?.split(' ')[1]}`}`);

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, clock: 'virtual', seed: 7, provisionDelayMs: 1000, logLevel: 'silent', validateResponses: true, journal: journalFile });
    events = new AbortController();
    void fetch(`${emulator.url}/_emulator/events`, { signal: events.signal }).then(async (res) => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body!) seenByUser.push(decoder.decode(chunk as Uint8Array, { stream: true }));
    }).catch(() => undefined);

    // The vendor's guide, step by step.
    const agent = await request('POST', '/public/agents', guideAgent);
    await request('PUT', `/public/agents/${agent.body.id}/channels/sip`, { humanHandoff: { enabled: true, transferExtension: '200', transferDescription: 'Transfer when the caller asks for a human' } });
    const conn = await request('POST', '/public/sip-connections', {
      agentId: agent.body.id, name: 'Main Support Line',
      settings: { server: 'sip.your-provider.com', port: 5060, domain: 'your-provider.com', username: 'your-sip-username', password, transport: 'UDP' },
    });
    connectionId = conn.body.id;
    await request('POST', `/public/sip-connections/${connectionId}/status`);
    await request('POST', '/_emulator/clock/advance', { ms: 1000 });
    await emulator.control.waitForStatus(connectionId, (s) => s.sipStatus === 'online');
    await request('POST', `/public/sip-connections/${connectionId}/status`);
    await request('GET', `/public/sip-connections/${connectionId}/errors`);

    // A caller reaches the agent; DTMF 0 hands it to the human at 200.
    expect((await request('POST', '/_emulator/softphones', { username: '200', password: humanPassword })).status).toBe(201);
    const placed = await request('POST', '/_emulator/calls', { from: 'caller', to: 'your-sip-username' });
    callId = placed.body.id;
    await emulator.control.journal.waitFor((e) => e.kind === 'agent.turn' && e.callId === callId && e.said === 'greeting', 10_000, 'the greeting');
    const ended = emulator.control.journal.waitFor((e) => e.kind === 'call.state' && e.callId === callId && e.state === 'ended', 15_000, 'the call to end');
    await request('POST', `/_emulator/calls/${callId}/dtmf`, { digits: '0' });
    const byeAnswered = emulator.control.journal.waitFor((e) => e.kind === 'sip' && e.party === `listener:${connectionId}` && e.status === 200 && e.cseq?.endsWith('BYE') === true, 15_000, 'the BYE to be answered');
    await ended;
    await byeAnswered;
    await request('GET', `/_emulator/calls/${callId}`);
    await request('GET', `/_emulator/connections/${connectionId}/sip-trace`);
    entries = emulator.control.getJournal().items;
  });

  afterAll(async () => {
    events?.abort();
    await emulator?.close();
  });

  it('holds the API requests in the order they were made', () => {
    const operations = entries.filter((e) => e.kind === 'api' && e.api === 'public').map((e) => (e.kind === 'api' ? e.operationId : ''));
    expect(operations).toEqual(['createAgent', 'putChannelConfig', 'createSipConnection', 'refreshSipConnectionStatus', 'refreshSipConnectionStatus', 'listSipConnectionErrors']);
    const create = entries.find((e) => e.kind === 'api' && e.operationId === 'createSipConnection');
    expect(create).toMatchObject({ method: 'POST', path: '/public/sip-connections', apiKey: key, response: { status: 200 } });
    expect(create?.kind === 'api' && (create.request.body as { settings: { password: string } }).settings.password).toMatch(/^\[secret \d+\]$/);
  });

  it('holds the registration as the listener and as the PBX saw it: REGISTER, 401, REGISTER, 200', () => {
    const listener = sipOf(`listener:${connectionId}`).filter((m) => m.cseq?.endsWith('REGISTER'));
    expect(ladder(listener).slice(0, 4)).toEqual(['out REGISTER', 'in 401 REGISTER', 'out REGISTER', 'in 200 REGISTER']);
    const registration = new Set(listener.map((m) => m.sipCallId));
    const pbx = sipOf('pbx').filter((m) => registration.has(m.sipCallId));
    expect(ladder(pbx).slice(0, 4)).toEqual(['in REGISTER', 'out 401 REGISTER', 'in REGISTER', 'out 200 REGISTER']);
    // Both sides of each message carry the same identity.
    expect(pbx[0]).toMatchObject({ sipCallId: listener[0]!.sipCallId, branch: listener[0]!.branch, cseq: listener[0]!.cseq, remote: listener[0]!.local });
    const statuses = entries.filter((e) => e.kind === 'connection.status' && e.connectionId === connectionId).map((e) => e.kind === 'connection.status' && `${e.status.lifecycleStatus}/${e.status.sipStatus}`);
    expect(statuses.filter((s, i) => s !== statuses[i - 1]).slice(0, 3)).toEqual(['Pending/null', 'Running/registering', 'Running/online']);
  });

  it('holds the call’s ladder as the caller, the PBX and the agent saw it', () => {
    const call = entries.find((e) => e.kind === 'call.state' && e.callId === callId);
    const sipCallId = call?.kind === 'call.state' ? call.sipCallId : '';
    const ofCall = (party: string) => ladder(sipOf(party).filter((m) => m.sipCallId === sipCallId));
    const inOrder = (seen: string[], wanted: string[]) => {
      let at = 0;
      for (const message of seen) if (message === wanted[at]) at++;
      return wanted.slice(at);
    };
    const caller = ofCall('softphone:caller');
    expect(inOrder(caller, ['out INVITE', 'in 180 INVITE', 'in 200 INVITE', 'out ACK', 'in REFER', 'out 202 REFER', 'out NOTIFY', 'in BYE', 'out 200 BYE'])).toEqual([]);
    const agent = ofCall(`listener:${connectionId}`);
    expect(inOrder(agent, ['in INVITE', 'out 180 INVITE', 'out 200 INVITE', 'in ACK', 'out REFER', 'in 202 REFER', 'in NOTIFY', 'out BYE', 'in 200 BYE'])).toEqual([]);
    const pbx = ofCall('pbx');
    expect(inOrder(pbx, ['in INVITE', 'out INVITE', 'in 180 INVITE', 'out 180 INVITE', 'in 200 INVITE', 'out 200 INVITE', 'in ACK', 'out ACK', 'in REFER', 'out REFER', 'in 202 REFER', 'out 202 REFER', 'in NOTIFY', 'out NOTIFY', 'in BYE', 'out BYE'])).toEqual([]);
    const refer = sipOf(`listener:${connectionId}`).find((m) => m.method === 'REFER');
    expect(refer?.text).toMatch(/^Refer-To: <sip:200@your-provider\.com>/m);
    // The transfer leg: the caller's new INVITE reaches the human at 200.
    expect(entries.some((e) => e.kind === 'call.state' && e.from === 'caller' && e.to === '200' && e.state === 'active')).toBe(true);
    expect(entries.some((e) => e.kind === 'transfer' && e.callId === callId && e.phase === 'succeeded')).toBe(true);
  });

  it('writes the same entries to the NDJSON file', async () => {
    await emulator.close();
    const lines = readFileSync(journalFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { seq: number; kind: string });
    expect(lines[0]).toMatchObject({ seq: 1, kind: 'emulator.started', seed: 7, clock: 'virtual' });
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    // The file keeps every body; the ring lets go of what a successful GET answered (its bytes are noted).
    const ring = JSON.parse(JSON.stringify(entries)) as Array<{ kind: string; response?: { body?: unknown; bodyDropped?: number } }>;
    const file = lines.slice(0, entries.length) as unknown as typeof ring;
    ring.forEach((entry, i) => {
      const inFile = file[i]!;
      if (entry.response?.bodyDropped !== undefined) {
        expect(JSON.stringify(inFile.response?.body).length).toBe(entry.response.bodyDropped);
        delete entry.response.bodyDropped;
        delete inFile.response!.body;
      }
    });
    expect(file).toEqual(ring);
  });

  const tshark = peerAvailable('tshark');
  it.skipIf(!tshark)(`exports the call as a pcap, from the journal, that tshark reads with every message of the ladder${tshark ? '' : ` (skipped: ${skipReason('tshark')})`}`, async () => {
    const pcap = emulator.control.getCallPcap(callId);
    seenByUser.push(pcap.toString('latin1'));
    const file = join(dir, 'call.pcap');
    writeFileSync(file, pcap);
    const fields = execFileSync('tshark', ['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.CSeq.method'], { encoding: 'utf8' })
      .trim().split('\n').map((line) => {
        const [method, status, cseqMethod] = line.split('\t');
        return method ? method : `${status} ${cseqMethod}`;
      });
    for (const wanted of ['INVITE', '180 INVITE', '200 INVITE', 'ACK', 'REFER', '202 REFER', 'NOTIFY', 'BYE', '200 BYE']) expect(fields, wanted).toContain(wanted);
    // Each message once: the PBX's copy of a message between two of omnisip's stacks is not doubled.
    expect(fields.filter((f) => f === 'REFER')).toHaveLength(2); // agent → PBX, PBX → caller
    const rtp = execFileSync('tshark', ['-r', file, '-d', 'udp.port==1-65535,rtp', '-q', '-z', 'rtp,streams'], { encoding: 'utf8' });
    const streams = rtp.split('\n').filter((line) => /0x[0-9A-Fa-f]{8}/.test(line));
    expect(streams.length).toBeGreaterThanOrEqual(2);
    // Each packet once (a packet captured twice reads as negative loss), and none lost on loopback.
    for (const stream of streams) expect(stream).toMatch(/\s0 \(0\.0%\)/);
  });

  it('stamps pcap records in microseconds: SIP and RTP records of the call are not whole milliseconds', () => {
    const pcap = emulator.control.getCallPcap(callId);
    // Classic pcap: a 24-byte file header, then per record ts_sec, ts_usec, incl_len, orig_len and the bytes.
    const micros: number[] = [];
    for (let offset = 24; offset < pcap.length; offset += 16 + pcap.readUInt32LE(offset + 8)) micros.push(pcap.readUInt32LE(offset + 4));
    expect(micros.length).toBeGreaterThan(10);
    const subMillisecond = micros.filter((us) => us % 1000 !== 0);
    // With millisecond stamps every record would be a multiple of 1000 µs; a few may be by chance.
    expect(subMillisecond.length).toBeGreaterThan(micros.length / 2);
    expect(new Set(subMillisecond.map((us) => us % 1000)).size).toBeGreaterThan(1);
  });

  it('never shows the password or a digest response, in the journal, its file, the traces, the pcap, the events or any response', async () => {
    // The digest responses that went on the wire, computed from what the journal shows of each Authorization.
    const responses = entries.flatMap((e) => {
      if (e.kind !== 'sip' || e.direction !== 'out') return [];
      const line = /^(?:Authorization|Proxy-Authorization): (.*)$/im.exec(e.text)?.[1];
      const credentials = line === undefined ? undefined : parseCredentials(line);
      if (!credentials) return [];
      const secret = credentials.username === '200' ? humanPassword : password;
      return [computeDigestResponse({ ...credentials, algorithm: credentials.algorithm ?? 'MD5', password: secret, method: e.method ?? 'REGISTER' })];
    });
    expect(responses.length).toBeGreaterThanOrEqual(2);
    const places = {
      ring: JSON.stringify(emulator.control.getJournal().items),
      file: readFileSync(journalFile, 'utf8'),
      trace: JSON.stringify(emulator.control.getSipTrace(connectionId)),
      pcap: emulator.control.getCallPcap(callId).toString('latin1'),
      seenByUser: seenByUser.join('\n'),
      // The calls' capture spill file: unlinked but open, so readable through /proc.
      spill: captureSpillContents(),
    };
    if (existsSync('/proc/self/fd')) expect(places.spill.length, 'the ended call wrote its RTP to the spill file').toBeGreaterThan(0);
    for (const [place, text] of Object.entries(places)) {
      for (const secret of [password, humanPassword, ...responses]) expect(text.includes(secret), `${place} holds ${secret}`).toBe(false);
      expect(text, place).not.toMatch(/response=\\?"[0-9a-f]{32,64}\\?"/);
    }
    expect(places.ring).toContain('response=\\"[redacted]\\"');
  });
});

/** What this process's capture spill files hold (emulator/store/CaptureSpillFile), read through /proc; empty elsewhere. */
function captureSpillContents(): string {
  return (captureSpillFiles() ?? []).map((file) => readFileSync(file.path).toString('latin1')).join('');
}
