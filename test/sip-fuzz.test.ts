import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { seededRandom } from '../random/seededRandom.js';

/**
 * Mutation fuzz of the built-in PBX: valid SIP messages (requests and responses) mangled the ways a
 * broken or hostile peer mangles them, sent over UDP and TCP. The PBX must not crash, must keep
 * answering, must answer answerable garbage with 400, and must not grow without bound.
 */
const SEED = 0x5ee_df022;
const TOTAL = 100_000;
const TCP_SHARE = 0.15;
const TCP_LANES = 4;
const UDP_MAX = 65_507;
const DOMAIN = 'sip.your-provider.com';
const CRLF = '\r\n';

type Transport = 'UDP' | 'TCP';
interface Rng { (): number; int(n: number): number; pick<T>(items: readonly T[]): T }

function rng(seed: number): Rng {
  const next = seededRandom(seed) as Rng;
  next.int = (n) => Math.floor(next() * n);
  next.pick = (items) => items[next.int(items.length)]!;
  return next;
}

const sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0 8 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=sendrecv', ''].join(CRLF);

/** The valid seeds: what phones and proxies really send to a PBX. */
function seedMessage(kind: number, id: string, transport: Transport, via: string, pbx: string): string {
  const common = (method: string, to: string, cseq = 1) => [`Via: SIP/2.0/${transport} ${via};branch=z9hG4bK${id};rport`, 'Max-Forwards: 70', `From: <sip:fuzz@${DOMAIN}>;tag=f${id}`, `To: <sip:${to}@${DOMAIN}>`, `Call-ID: ${id}@fuzz`, `CSeq: ${cseq} ${method}`, `Contact: <sip:fuzz@${via};transport=${transport.toLowerCase()}>`];
  const request = (method: string, uri: string, to: string, extra: string[] = [], body = '') => [`${method} ${uri} SIP/2.0`, ...common(method, to), ...extra, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join(CRLF);
  // Responses carry the PBX's Via, so they reach its transaction matching (and match nothing).
  const response = (status: string, method: string) => [`SIP/2.0 ${status}`, `Via: SIP/2.0/${transport} ${pbx};branch=z9hG4bK${id}`, `From: <sip:fuzz@${DOMAIN}>;tag=f${id}`, `To: <sip:bob@${DOMAIN}>;tag=t${id}`, `Call-ID: ${id}@fuzz`, `CSeq: 1 ${method}`, 'Content-Length: 0', '', ''].join(CRLF);
  switch (kind % 10) {
    case 0: return request('REGISTER', `sip:${DOMAIN}`, 'fuzz', ['Expires: 60', 'User-Agent: fuzz/1.0']);
    case 1: return request('REGISTER', `sip:${DOMAIN}`, 'fuzz', [`Authorization: Digest username="fuzz", realm="${DOMAIN}", nonce="AAABog8vRpYDez", uri="sip:${DOMAIN}", response="0123456789abcdef0123456789abcdef", algorithm=MD5, qop=auth, nc=00000001, cnonce="c0ffee"`]);
    case 2: case 3: return request('INVITE', `sip:bob@${DOMAIN}`, 'bob', ['Content-Type: application/sdp', 'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS', 'Supported: replaces, timer'], sdp);
    case 4: return request('OPTIONS', `sip:${DOMAIN}`, 'fuzz', ['Accept: application/sdp']);
    case 5: return request('BYE', `sip:bob@${DOMAIN}`, 'bob');
    case 6: return request('MESSAGE', `sip:bob@${DOMAIN}`, 'bob', ['Content-Type: text/plain'], 'hello, bob');
    case 7: return response('200 OK', 'OPTIONS');
    case 8: return response('180 Ringing', 'INVITE');
    default: return response('486 Busy Here', 'INVITE');
  }
}

const specialBytes = [0x00, 0x0a, 0x0d, 0x20, 0x09, 0x3a, 0x3b, 0x2c, 0x3c, 0x3e, 0x22, 0x5c, 0x7f, 0x80, 0xff, 0x25, 0x3d];

function replaceHeader(text: string, name: string, value: string): string {
  return text.replace(new RegExp(`^${name}:.*$`, 'mi'), `${name}: ${value}`);
}

/** Mangles `text` one way: the mutation operators of the fuzz. */
function mutate(text: string, r: Rng, transport: Transport): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  const at = () => r.int(bytes.length + 1);
  switch (r.int(10)) {
    case 0: return bytes.subarray(0, at());
    case 1: { // a fragment duplicated, possibly several times
      const from = at();
      const fragment = bytes.subarray(from, from + 1 + r.int(200));
      const where = at();
      return Buffer.concat([bytes.subarray(0, where), ...Array.from({ length: 1 + r.int(3) }, () => fragment), bytes.subarray(where)]);
    }
    case 2: { // corrupted bytes
      const copy = Buffer.from(bytes);
      for (let i = 1 + r.int(8); i > 0 && copy.length > 0; i--) copy[r.int(copy.length)] = r() < 0.6 ? r.pick(specialBytes) : r.int(256);
      return copy;
    }
    case 3: { // huge headers: one line near 8 KiB, near 256 lines, or a message near 64 KiB
      const limit = r.pick([8 * 1024, 256, 64 * 1024] as const);
      const delta = r.int(33) - 16;
      const lines = limit === 256 ? Array.from({ length: limit + delta }, (_, i) => `X-Fuzz-${i}: ${i}`) : [`X-Fuzz: ${'a'.repeat(Math.max(0, (limit === 8192 ? limit - 8 : Math.min(transport === 'UDP' ? UDP_MAX : Infinity, limit) - bytes.length - 10) + delta))}`];
      return Buffer.from(text.replace(CRLF, `${CRLF}${lines.join(CRLF)}${CRLF}`), 'latin1');
    }
    case 4: // missing CRLFs
      return Buffer.from(r.pick([
        () => text.replace(`${CRLF}${CRLF}`, CRLF),
        () => text.replaceAll(CRLF, '\n'),
        () => text.replaceAll(CRLF, '\r'),
        () => { const lines = text.split(CRLF); lines.splice(1 + r.int(lines.length - 1), 1); return lines.join(CRLF).replace(/\r\n([^\r\n]*)$/, '$1'); },
        () => { const i = text.indexOf(CRLF, r.int(text.length)); return i < 0 ? text : text.slice(0, i) + text.slice(i + 2); },
      ])(), 'latin1');
    case 5: { // bad Content-Length
      const body = text.length - text.indexOf(`${CRLF}${CRLF}`) - 4;
      const value = r.pick(['-1', '99999999999', 'abc', '', '1e3', '0x10', `${body + 1 + r.int(500)}`, `${Math.max(0, body - 1 - r.int(20))}`, `${body}, ${body}`]);
      const mangled = r() < 0.2 ? text.replace('Content-Length:', `Content-Length: ${body + 7}${CRLF}Content-Length:`) : replaceHeader(text, 'Content-Length', value);
      return Buffer.from(mangled, 'latin1');
    }
    case 6: { // random garbage, binary or printable
      const length = r.int(1500);
      return r() < 0.5 ? Buffer.from(Array.from({ length }, () => r.int(256))) : Buffer.from(Array.from({ length }, () => String.fromCharCode(32 + r.int(95))).join(''), 'latin1');
    }
    case 7: { // start line
      const start = r.pick(['INVITE sip:bob@x SIP/3.0', 'SIP/2.0 999 Nope', 'SIP/2.0 20 OK', 'REGISTER  SIP/2.0', 'INV@ITE sip:bob@x SIP/2.0', 'OPTIONS bob SIP/2.0', 'FOO sip:x SIP/2.0', 'sip/2.0 200', '', 'SIP/2.0', `${'A'.repeat(9000)} sip:x SIP/2.0`]);
      return Buffer.from(text.replace(/^[^\r\n]*/, start), 'latin1');
    }
    case 8: { // a header removed, duplicated or folded
      const lines = text.split(CRLF);
      const i = 1 + r.int(Math.max(1, lines.indexOf('') - 1));
      const line = lines[i] ?? '';
      lines.splice(i, 1, ...r.pick([[], [line, line], [line.replace(/;/, `${CRLF} ;`)], [line.replace(/: */, ':')], [line.toLowerCase()]]));
      return Buffer.from(lines.join(CRLF), 'latin1');
    }
    default: { // several mutations stacked
      let out = text;
      for (let i = 2 + r.int(2); i > 0; i--) out = mutate(out, r, transport).toString('latin1').slice(0, 70_000);
      return Buffer.from(out, 'latin1');
    }
  }
}

/** Requests broken in ways the parser can still answer (start line and mandatory headers intact): each must get a 400. */
function answerableDefect(text: string, r: Rng, transport: Transport): string {
  const defects = [
    () => replaceHeader(text, 'Max-Forwards', r.pick(['x', '-1', '256', '99999999999'])),
    () => text.replace(/^CSeq: (\d+) .*$/m, 'CSeq: $1 FOO'),
    () => text.replace(CRLF, `${CRLF}This line has no colon${CRLF}`),
    () => text.replace(CRLF, `${CRLF}Bad Name: x${CRLF}`),
    () => text.replace(/^(From: .*)$/m, '$1\r\n$1'),
    ...(transport === 'UDP' ? [() => replaceHeader(text, 'Content-Length', String(text.length))] : []),
  ];
  return r.pick(defects)();
}

/** Statuses seen, and which tracked Call-IDs got their 400, from any stream of SIP responses. */
class Tally {
  readonly statuses = new Map<string, number>();
  readonly awaiting400 = new Set<string>();
  /** The bytes of each tracked UDP message, to retransmit as a UAC would if its datagram or the 400 is lost. */
  readonly udpMessages = new Map<string, Buffer>();
  /** Told when a tracked Call-ID gets its 400. */
  readonly waiters = new Map<string, () => void>();
  tracked = 0;
  answered400 = 0;

  track(callId: string, udpMessage?: Buffer): void {
    this.awaiting400.add(callId);
    if (udpMessage) this.udpMessages.set(callId, udpMessage);
    this.tracked++;
  }

  count(label: string): void {
    this.statuses.set(label, (this.statuses.get(label) ?? 0) + 1);
  }

  /** One response; `text` may be a datagram or a TCP stream holding several. */
  read(text: string, transport: string): void {
    for (const m of text.matchAll(/(?:^|\r\n)SIP\/2\.0 (\d{3})[^\r\n]*\r\n((?:[^\r\n]+\r\n)*)/g)) {
      const status = m[1]!;
      if (/^Call-ID: probe/im.test(m[2]!)) continue;
      this.count(`${transport} ${status}`);
      const callId = /^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)/im.exec(m[2]!)?.[1];
      if (status === '400' && callId !== undefined && this.awaiting400.delete(callId)) {
        this.answered400++;
        this.waiters.get(callId)?.();
      }
    }
  }
}

/** Message `index` of a run: 4% valid, 6% answerable defects (tracked when `track`), the rest mangled. */
function build(index: number, r: Rng, transport: Transport, via: string, pbx: string, tally: Tally, track: boolean): Buffer {
  const id = `${transport[0]}${index.toString(36)}`;
  const kind = r.int(10);
  const text = seedMessage(kind, id, transport, via, pbx);
  const roll = r();
  if (roll < 0.04) return Buffer.from(text, 'latin1');
  if (roll < 0.1 && kind <= 6) {
    const data = Buffer.from(answerableDefect(text, r, transport), 'latin1');
    if (track) tally.track(`${id}@fuzz`, transport === 'UDP' ? data : undefined);
    return data;
  }
  const data = mutate(text, r, transport);
  return transport === 'UDP' ? data.subarray(0, UDP_MAX) : data;
}

/** Whether `promise` resolves within `ms`: a timeout, ended by the answer, not a sleep. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const probe = (id: string, transport: Transport, via: string) => seedMessage(4, id, transport, via, '').replace(`${id}@fuzz`, `probe-${id}`);

/** A fresh OPTIONS over `socket`, retransmitted as a UAC would (RFC 3261 Timer E), until its 200 arrives. */
async function probeUdp(socket: UdpSocket, pbxPort: number, id: string): Promise<void> {
  const data = Buffer.from(probe(id, 'UDP', `127.0.0.1:${socket.address().port}`), 'latin1');
  let onMessage: (message: Buffer) => void = () => undefined;
  const answered = new Promise<void>((resolve) => (onMessage = (m) => void (m.toString('latin1').startsWith('SIP/2.0 200') && m.includes(`probe-${id}`) && resolve())));
  socket.on('message', onMessage);
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      socket.send(data, pbxPort, '127.0.0.1');
      if (await within(answered, 250)) return;
    }
    throw new Error(`the PBX did not answer OPTIONS ${id} over UDP within 5 s`);
  } finally {
    socket.off('message', onMessage);
  }
}

async function probeTcp(pbxPort: number, id: string): Promise<void> {
  const socket = connect({ host: '127.0.0.1', port: pbxPort });
  await once(socket, 'connect');
  let text = '';
  const answered = new Promise<void>((resolve) => socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')).includes('SIP/2.0 200') && resolve()));
  socket.write(probe(id, 'TCP', `127.0.0.1:${socket.localPort ?? 0}`));
  const ok = await within(answered, 5000);
  socket.destroy();
  if (!ok) throw new Error(`the PBX did not answer OPTIONS ${id} over TCP within 5 s (got ${JSON.stringify(text.slice(0, 200))})`);
}

/** Cuts `data` at random points: one message split across writes, several pipelined in one. */
function splitWrites(data: Buffer, r: Rng): Buffer[] {
  const cuts = [...new Set(Array.from({ length: r.int(5) }, () => r.int(data.length)))].sort((a, b) => a - b);
  return [0, ...cuts].map((from, i) => data.subarray(from, [...cuts, data.length][i])).filter((piece) => piece.length > 0);
}

/** Feeds complete responses of a TCP stream to the tally as they arrive. */
function streamReader(tally: Tally, label: string): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('latin1');
    const end = pending.lastIndexOf('\r\n\r\n');
    if (end < 0) return;
    tally.read(pending.slice(0, end + 4), label);
    pending = pending.slice(end + 4);
  };
}

const write = (socket: Socket, data: Buffer) => new Promise<void>((resolve) => socket.write(data, () => resolve()));

describe('SIP mutation fuzz of the built-in PBX', () => {
  let emulator: RunningEmulator;
  let lateServer: Server;
  const lateSockets = new Set<Socket>();
  const tally = new Tally();
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => crashes.push(error);
  const threw: string[] = [];

  beforeAll(async () => {
    // The PBX runs in this process: an exception it lets escape lands here and fails the test.
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    // The SIP stack survives a throwing handler by logging it; that is a bug the fuzz must see too.
    const warn = (message: string) => void (/threw/.test(message) && threw.length < 5 && threw.push(message));
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, seed: SEED, logger: { info: () => undefined, warn, error: warn } });
    // RFC 3261 §18.2.2: a response whose TCP flow is gone goes on a new connection to the Via's sent-by: ours.
    lateServer = createServer((socket) => {
      lateSockets.add(socket);
      socket.on('data', streamReader(tally, 'TCP, new connection'));
      socket.on('error', () => undefined);
      socket.on('close', () => lateSockets.delete(socket));
    });
    lateServer.listen(0, '127.0.0.1');
    await once(lateServer, 'listening');
  });
  afterAll(async () => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    await emulator?.close();
    for (const socket of lateSockets) socket.destroy();
    await new Promise((resolve) => lateServer?.close(resolve));
  });

  it(`survives ${TOTAL.toLocaleString('en')} mangled messages over UDP and TCP, keeps answering, and answers answerable ones with 400`, async () => {
    const pbxPort = emulator.ports.sip!;
    const pbxVia = `127.0.0.1:${pbxPort}`;
    const lateVia = `127.0.0.1:${(lateServer.address() as { port: number }).port}`;
    const udpQuota = Math.round(TOTAL * (1 - TCP_SHARE));
    const laneQuota = Math.ceil((TOTAL - udpQuota) / TCP_LANES);
    const sent = { UDP: 0, TCP: 0, sessions: 0, hung: 0, checkpoints: 0, retransmitted: 0 };
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();

    const udp = await udpSocket();
    udp.on('message', (message) => tally.read(message.toString('latin1'), 'UDP'));
    const udpVia = `127.0.0.1:${udp.address().port}`;

    /** A fresh OPTIONS over a new UDP socket and a new TCP connection, each answered 200; no crash so far. */
    const checkpoint = async () => {
      const fresh = await udpSocket();
      await probeUdp(fresh, pbxPort, `fresh${sent.checkpoints}`).finally(() => fresh.close());
      await probeTcp(pbxPort, `fresh${sent.checkpoints}`);
      sent.checkpoints++;
      expect(crashes).toEqual([]);
    };

    // Bursts small enough for the PBX's socket buffer, each closed by an OPTIONS round trip: once it
    // is answered, every datagram before it has been read.
    const runUdp = async () => {
      const r = rng(SEED);
      for (let nextCheckpoint = 10_000; sent.UDP < udpQuota; ) {
        const sends: Array<Promise<void>> = [];
        for (let n = 0, bytes = 0; n < 64 && bytes < 96_000 && sent.UDP < udpQuota; n++) {
          const data = build(sent.UDP++, r, 'UDP', udpVia, pbxVia, tally, true);
          bytes += data.length;
          sends.push(new Promise((resolve) => udp.send(data, pbxPort, '127.0.0.1', () => resolve())));
        }
        await Promise.all(sends);
        await probeUdp(udp, pbxPort, `barrier${sent.UDP}`);
        if (sent.UDP >= nextCheckpoint) {
          nextCheckpoint += 10_000;
          await checkpoint();
        }
      }
    };

    // One connection per group of 1-40 pipelined messages, cut at random points across writes; a
    // stream the PBX cannot frame is closed by it (RFC 3261 §18.3), so each group starts clean.
    const runTcpLane = async (lane: number) => {
      const r = rng(SEED + lane + 1);
      for (let index = 0; index < laneQuota; ) {
        const socket = connect({ host: '127.0.0.1', port: pbxPort });
        socket.on('error', () => undefined);
        await once(socket, 'connect');
        socket.on('data', streamReader(tally, 'TCP'));
        // Not once(): it would reject on the ECONNRESET of a connection the PBX gave up on.
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        const group = Math.min(laneQuota - index, 1 + r.int(40));
        // Only the first message of a group surely reaches the parser: one before it may break the framing.
        const messages = Array.from({ length: group }, (_, i) => build(lane * 1_000_000 + index + i, r, 'TCP', lateVia, pbxVia, tally, i === 0));
        index += group;
        sent.TCP += group;
        for (const piece of splitWrites(Buffer.concat(messages), r)) {
          if (socket.destroyed) break;
          await write(socket, piece);
        }
        socket.end();
        // The PBX ends its side once it has read ours (it may have closed first, on a framing error).
        if (!(await within(closed, 10_000))) sent.hung++;
        socket.destroy();
        sent.sessions++;
      }
    };

    await Promise.all([runUdp(), ...Array.from({ length: TCP_LANES }, (_, lane) => runTcpLane(lane))]);
    await checkpoint();
    // UDP is lossy: on a busy machine a datagram of a burst, or its 400, can be dropped by a full
    // socket buffer. A UAC retransmits (RFC 3261 Timer E); so does the fuzz, and the 400 must come.
    const answered = (callId: string) => new Promise<void>((resolve) => tally.waiters.set(callId, resolve));
    for (const callId of [...tally.awaiting400].filter((id) => tally.udpMessages.has(id))) {
      sent.retransmitted++;
      for (let attempt = 0; attempt < 10 && tally.awaiting400.has(callId); attempt++) {
        udp.send(tally.udpMessages.get(callId)!, pbxPort, '127.0.0.1');
        await within(answered(callId), 250);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const rssAfter = process.memoryUsage().rss;
    udp.close();

    const distribution = [...tally.statuses].sort(([a], [b]) => a.localeCompare(b)).map(([label, count]) => `  ${label.padEnd(24)} ${count}`);
    console.log(
      [`SIP fuzz (seed ${SEED}): ${sent.UDP} UDP + ${sent.TCP} TCP messages (${sent.sessions} TCP connections) in ${seconds.toFixed(1)} s, ${sent.checkpoints} fresh-OPTIONS checkpoints`,
        `answerable defects answered 400: ${tally.answered400} of ${tally.tracked} (${sent.retransmitted} over UDP after a retransmission); RSS ${mb(rssBefore)} -> ${mb(rssAfter)} MB`,
        'responses by transport and status (retransmissions included):', ...distribution].join('\n'),
    );
    expect(sent.UDP + sent.TCP).toBeGreaterThanOrEqual(TOTAL);
    expect(crashes).toEqual([]);
    expect(threw).toEqual([]);
    expect(sent.hung).toBe(0);
    // About 4% of the messages are answerable defects, and every one got its 400.
    expect(tally.tracked).toBeGreaterThan(TOTAL * 0.03);
    expect([...tally.awaiting400].slice(0, 10)).toEqual([]);
    expect(tally.answered400).toBe(tally.tracked);
    // A lost datagram now and then on a loaded machine, not a PBX that stops answering.
    expect(sent.retransmitted).toBeLessThan(tally.tracked * 0.01);
    // Transactions live 32 s (Timer J/H at the default T1) and V8 keeps what it grew, so this only catches a leak.
    expect(rssAfter - rssBefore).toBeLessThan(384 * 2 ** 20);
  }, 120_000);
});

async function udpSocket(): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
