// Test support for the dialog tests (excluded from the build like *.test.ts): two user agents over the memory network.
import { vi } from 'vitest';
import { parseMessage, type SipMessage } from '../message/index.js';
import { SipStack, type SipTraceEntry } from '../SipStack.js';
import { createMemoryNetwork, type Endpoint, type MemoryNetwork, type TransportProtocol } from '../transport/index.js';
import type { IncomingInvite } from './IncomingInvite.js';
import { UserAgent, type UserAgentOptions } from './UserAgent.js';

export const T1 = 500;
export const ALICE_ADDRESS = '127.0.0.1';
export const BOB_ADDRESS = '127.0.0.2';

export interface Party {
  stack: SipStack;
  ua: UserAgent;
  endpoint: Endpoint;
  uri: string;
  warnings: string[];
}

export interface Pair {
  network: MemoryNetwork;
  alice: Party;
  bob: Party;
  /** Every message on the wire, as `alice> INVITE` or `bob> 200 INVITE`, in the order sent. */
  wire: string[];
  close(): Promise<void>;
}

export const OFFER = 'v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=sendrecv\r\n';
export const ANSWER = 'v=0\r\no=bob 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 40002 RTP/AVP 0\r\na=sendrecv\r\n';

/** Alice (127.0.0.1:5070) and Bob (127.0.0.2:5060), each a SipStack and a UserAgent on one memory network. */
export function createPair(options: { seed?: number; protocol?: TransportProtocol; ua?: Partial<UserAgentOptions> } = {}): Pair {
  const network = createMemoryNetwork({ seed: options.seed ?? 3 });
  const protocol = options.protocol ?? 'UDP';
  const wire: string[] = [];
  const party = (name: string, address: string, port: number): Party => {
    const warnings: string[] = [];
    const stack = new SipStack({
      transport: network.createTransport(address, port),
      timers: { T1 },
      onTrace: (entry) => entry.direction === 'out' && wire.push(`${name}> ${summarize(entry)}`),
      onWarning: (w) => warnings.push(w),
    });
    const transport = protocol === 'TCP' ? ';transport=tcp' : '';
    const ua = new UserAgent(stack, { contact: `sip:${name}@${address}:${port}${transport}`, timers: { T1 }, onWarning: (w) => warnings.push(w), ...options.ua });
    return { stack, ua, endpoint: { protocol, address, port }, uri: `sip:${name}@${address}:${port}`, warnings };
  };
  const alice = party('alice', ALICE_ADDRESS, 5070);
  const bob = party('bob', BOB_ADDRESS, 5060);
  return {
    network,
    alice,
    bob,
    wire,
    close: async () => {
      alice.ua.close();
      bob.ua.close();
      await alice.stack.close();
      await bob.stack.close();
    },
  };
}

/** `INVITE` for a request, `200 INVITE` for a response. */
/** Bob rings and answers every call with ANSWER; the IncomingInvites are collected. */
export function bobAnswers(pair: Pair): IncomingInvite[] {
  const calls: IncomingInvite[] = [];
  pair.bob.ua.onInvite((call) => {
    calls.push(call);
    call.ring();
    call.answer({ sdp: ANSWER });
  });
  return calls;
}

export function summarize(entry: SipTraceEntry | Buffer): string {
  const parsed = parseMessage(Buffer.isBuffer(entry) ? entry : entry.data);
  if (!parsed.ok) return '?';
  return describeMessage(parsed.message);
}

export function describeMessage(message: SipMessage): string {
  if (message.type === 'request') return message.method;
  return `${message.status} ${message.headers.get('CSeq')?.split(' ')[1] ?? '?'}`;
}

/** Runs fake time forward in small steps until `promise` settles (at most `maxMs`), and returns its value. */
export async function until<T>(promise: Promise<T>, maxMs = 120_000): Promise<T> {
  let done = false;
  let value: T | undefined;
  void promise.then((v) => {
    done = true;
    value = v;
  });
  for (let elapsed = 0; !done && elapsed <= maxMs; elapsed += 10) await vi.advanceTimersByTimeAsync(10);
  if (!done) throw new Error(`until: still pending after ${maxMs} ms of fake time`);
  return value as T;
}

/** Lets queued deliveries (microtasks) run without moving time. */
export async function flush(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

/** Whether a packet is a request with that method (for drop predicates). */
export function isRequest(method: string): (packet: Buffer) => boolean {
  return (packet) => packet.toString('latin1').startsWith(`${method} `);
}
