import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Pbx } from '../emulator/pbx/Pbx.js';
import { parseCSeq, type SipResponse } from '../sip/message/index.js';
import type { SipTraceEntry } from '../sip/index.js';
import { RawTcpPeer, RawUdpPeer, type RawPeer } from './support/rawSip.js';

/**
 * RFC 4475 end to end: every torture message of test/rfc4475/, sent byte for byte to the built-in
 * PBX over UDP (the file as one datagram) and over TCP, must be handled as the manifest says the
 * RFC asks; after each one the PBX must still answer an OPTIONS; and nothing the PBX sends may
 * leave loopback, whatever addresses the messages name.
 */
interface Expectation {
  expect: 'answer' | 'not-400' | 'none' | 'wait' | 'close';
  status?: number[];
  reason?: string;
  /** Only a response whose CSeq method is this one counts (dblreq over TCP carries two requests). */
  method?: string;
  /** TCP: after answering, the server closes the connection (what follows the message cannot be framed). */
  thenClosed?: boolean;
  why?: string;
}

interface Entry {
  name: string;
  section: string;
  title: string;
  valid: boolean;
  rfc: string;
  udp: Expectation;
  tcp: Expectation;
}

type Transport = 'UDP' | 'TCP';

interface Outcome {
  name: string;
  section: string;
  transport: Transport;
  expected: string;
  actual: string;
  ok: boolean;
  why: string;
}

const dir = new URL('./rfc4475/', import.meta.url);
const { messages } = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as { messages: Entry[] };
/** The PBX's T1 here; a request it forwards to a dead next hop is answered 408 after Timer F (64*T1). */
const T1 = 50;
const ANSWER_WITHIN = 64 * T1 + 2000;
const PROBE_WITHIN = 2000;

/**
 * A fresh PBX per message and transport, so the cases are independent: RFC 4475 reuses branches
 * (unkscm and novelsc, cparam01 and cparam02 share branch, sent-by and method), and by RFC 3261
 * §17.2.3 the second of such a pair is a retransmission of the first while its transaction lives.
 */
let pbx: Pbx | undefined;
const traces: SipTraceEntry[] = [];
const outcomes: Outcome[] = [];
let probes = 0;

beforeEach(async () => {
  pbx = await Pbx.start({ host: '127.0.0.1', port: 0, sipTimers: { T1 }, onTrace: (entry) => traces.push(entry) });
});

afterEach(async () => {
  await pbx?.close();
  pbx = undefined;
});

afterAll(() => {
  if (outcomes.length > 0) console.log(formatTable(outcomes));
});

describe('RFC 4475 torture messages against the built-in PBX', () => {
  const cases = messages.flatMap((entry) => (['UDP', 'TCP'] as const).map((transport) => [entry.name, transport, entry] as const));

  it.each(cases)('%s over %s is handled as the RFC asks, and the PBX still answers OPTIONS', async (_name, transport, entry) => {
    const outcome = await run(entry, transport);
    outcomes.push(outcome);
    expect(outcome.ok, `${entry.name} (§${entry.section}) over ${transport}: expected ${outcome.expected}, got ${outcome.actual}; ${outcome.why}`).toBe(true);
  });

  it('sends nothing to any address but loopback, whatever the messages name', () => {
    const offLoopback = traces.filter((t) => t.direction === 'out' && !t.remote.address.startsWith('127.'));
    expect(offLoopback.map((t) => `${t.remote.protocol} ${t.remote.address}:${t.remote.port}`)).toEqual([]);
  });

  it('handles every one of the 49 messages as the RFC asks, over UDP and over TCP', () => {
    expect(messages).toHaveLength(49);
    const failed = outcomes.filter((o) => !o.ok).map((o) => `${o.name}/${o.transport}`);
    expect(failed).toEqual([]);
  });
});

async function run(entry: Entry, transport: Transport): Promise<Outcome> {
  const expectation = transport === 'UDP' ? entry.udp : entry.tcp;
  const target = pbxOf(transport).endpoint(transport);
  const bytes = readFileSync(new URL(`${entry.name}.dat`, dir));
  const peer = transport === 'UDP' ? await RawUdpPeer.open(target) : await RawTcpPeer.open(target);
  const result = { entry, transport, expected: describe_(expectation) };
  try {
    await peer.send(bytes);
    const isFinal = (r: SipResponse): boolean => r.status >= 200 && !isProbe(r) && (expectation.method === undefined || parseCSeq(r.headers.get('CSeq') ?? '')?.method === expectation.method);

    if (expectation.expect === 'close' || expectation.expect === 'wait') {
      const tcp = peer as RawTcpPeer;
      const closed = expectation.expect === 'close' ? await tcp.waitForClose(PROBE_WITHIN) : false;
      // The probe goes on a new connection: this one either closed or is holding a partial message.
      const alive = await probe('TCP');
      const answered = tcp.responses.find(isFinal);
      const actual = answered ? statusLine(answered) : closed || !tcp.open ? 'connection closed' : 'no answer, connection open';
      const ok = expectation.expect === 'close' ? closed && answered === undefined : answered === undefined && tcp.open;
      return outcome(result, actual, ok && alive, alive ? '' : 'the PBX did not answer the OPTIONS that followed');
    }

    const answer = expectation.expect === 'none' ? undefined : await peer.waitFor(isFinal, ANSWER_WITHIN);
    const closed = expectation.thenClosed === true && (await (peer as RawTcpPeer).waitForClose(PROBE_WITHIN));
    if (expectation.thenClosed === true && !closed) return outcome(result, 'connection left open', false, 'the server should have closed the connection after its answer');
    const alive = await probe(transport, closed ? undefined : peer);
    // A response that should be discarded would have been sent before the probe's answer.
    const final = answer ?? peer.responses.find(isFinal);
    const actual = final === undefined ? 'no answer' : statusLine(final);
    return outcome(result, actual, meets(expectation, final) && alive, alive ? '' : 'the PBX did not answer the OPTIONS that followed');
  } finally {
    await peer.close();
  }
}

function meets(expectation: Expectation, final: SipResponse | undefined): boolean {
  switch (expectation.expect) {
    case 'none':
      return final === undefined;
    case 'not-400':
      return final !== undefined && final.status !== 400;
    case 'answer':
      return final !== undefined && (expectation.status ?? []).includes(final.status) && (expectation.reason === undefined || new RegExp(expectation.reason, 'i').test(final.reason));
    default:
      return false;
  }
}

/** An OPTIONS the PBX answers itself (no user part, a served domain): proof it is still up. */
async function probe(transport: Transport, over?: RawPeer): Promise<boolean> {
  const target = pbxOf(transport).endpoint(transport);
  const peer = over !== undefined && (!(over instanceof RawTcpPeer) || over.open) ? over : transport === 'UDP' ? await RawUdpPeer.open(target) : await RawTcpPeer.open(target);
  const id = `probe-${++probes}`;
  const port = (peer as RawUdpPeer | RawTcpPeer).port;
  const options = [
    'OPTIONS sip:sip.your-provider.com SIP/2.0',
    `Via: SIP/2.0/${transport} 127.0.0.1:${port};branch=z9hG4bK${id};rport`,
    'Max-Forwards: 70',
    `From: <sip:probe@sip.your-provider.com>;tag=${id}`,
    'To: <sip:sip.your-provider.com>',
    `Call-ID: ${id}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  try {
    await peer.send(options);
    const answer = await peer.waitFor((r) => r.headers.get('Call-ID') === id, PROBE_WITHIN);
    return answer?.status === 200;
  } finally {
    if (peer !== over) await peer.close();
  }
}

function pbxOf(_transport: Transport): Pbx {
  if (pbx === undefined) throw new Error('no PBX: beforeEach did not run');
  return pbx;
}

function isProbe(response: SipResponse): boolean {
  return response.headers.get('Call-ID')?.startsWith('probe-') === true;
}

function statusLine(response: SipResponse): string {
  return `${response.status} ${response.reason}`.trim();
}

function describe_(expectation: Expectation): string {
  switch (expectation.expect) {
    case 'answer':
      return `${(expectation.status ?? []).join('/')}${expectation.reason ? ` (reason names ${expectation.reason})` : ''}`;
    case 'not-400':
      return expectation.thenClosed === true ? 'accepted (not 400), then connection closed' : 'accepted (not 400)';
    case 'none':
      return 'discarded (no answer)';
    case 'wait':
      return 'no answer, connection kept';
    case 'close':
      return 'connection closed';
  }
}

function outcome(base: { entry: Entry; transport: Transport; expected: string }, actual: string, ok: boolean, why: string): Outcome {
  return { name: base.entry.name, section: base.entry.section, transport: base.transport, expected: base.expected, actual, ok, why };
}

function formatTable(rows: Outcome[]): string {
  const byName = new Map<string, { section: string; expected: string[]; udp: string; tcp: string; ok: boolean }>();
  for (const row of rows) {
    const line = byName.get(row.name) ?? { section: row.section, expected: [], udp: '', tcp: '', ok: true };
    line.expected.push(`${row.transport}: ${row.expected}`);
    if (row.transport === 'UDP') line.udp = `${row.ok ? '' : '✗ '}${row.actual}`;
    else line.tcp = `${row.ok ? '' : '✗ '}${row.actual}`;
    line.ok &&= row.ok;
    byName.set(row.name, line);
  }
  const header = ['message', 'section', 'expected', 'UDP response', 'TCP response'];
  const body = [...byName].map(([name, l]) => [name, l.section, [...new Set(l.expected.map((e) => e.slice(5)))].length === 1 ? l.expected[0]!.slice(5) : l.expected.join('; '), l.udp, l.tcp]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const format = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const handled = [...byName.values()].filter((l) => l.ok).length;
  return [`RFC 4475: ${handled} of ${byName.size} messages handled as the RFC asks (UDP and TCP)`, format(header), format(widths.map((w) => '-'.repeat(w))), ...body.map(format)].join('\n');
}
