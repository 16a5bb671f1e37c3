import { parseMessage, redactAuthorization, type SipMessage, type SipTraceEntry } from '../../sip/index.js';
import { flatCopy } from '../core/flatCopy.js';
import type { EntryStamp, SipEntry, SipParty } from './entries.js';

/** The few `host:port` strings a journal names, one copy each: every entry names two of them. */
const HOST_PORTS = new Map<string, Map<number, string>>();
const MAX_HOST_PORTS = 4096;
let hostPorts = 0;

function hostPort(e: { address: string; port: number }): string {
  let byPort = HOST_PORTS.get(e.address);
  const known = byPort?.get(e.port);
  if (known !== undefined) return known;
  const text = flatCopy(`${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`);
  if (hostPorts >= MAX_HOST_PORTS) return text;
  if (byPort === undefined) HOST_PORTS.set(flatCopy(e.address), (byPort = new Map()));
  byPort.set(e.port, text);
  hostPorts++;
  return text;
}
const TAG = /;\s*tag\s*=\s*([^;,\s>]+)/i;
const BRANCH = /;\s*branch\s*=\s*([^;,\s]+)/i;

/** The tag of a From or To value: after the name-addr's `>` when it has one (a URI may carry parameters of its own). */
function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const close = value.lastIndexOf('>');
  return TAG.exec(close === -1 ? value : value.slice(close))?.[1];
}

/** The fields a journal reader filters and ladders by, read from the message as it was sent or received. */
interface Summary {
  sipCallId?: string;
  method?: string;
  status?: number;
  reason?: string;
  cseq?: string;
  fromTag?: string;
  toTag?: string;
  branch?: string;
  error?: string;
}

function summarize(message: SipMessage): Summary {
  const { headers } = message;
  const summary: Summary = message.type === 'request' ? { method: message.method } : { status: message.status, reason: message.reason };
  const callId = headers.get('Call-ID');
  if (callId !== undefined) summary.sipCallId = callId;
  const cseq = headers.get('CSeq');
  if (cseq !== undefined) summary.cseq = cseq.replace(/\s+/g, ' ').trim();
  const fromTag = tagOf(headers.get('From'));
  if (fromTag !== undefined) summary.fromTag = fromTag;
  const toTag = tagOf(headers.get('To'));
  if (toTag !== undefined) summary.toTag = toTag;
  const branch = BRANCH.exec(headers.get('Via') ?? '')?.[1];
  if (branch !== undefined) summary.branch = branch;
  return summary;
}

/** Each stack's party label, made once: a stack's recorder passes the same party with every message. */
const PARTY_LABELS = new WeakMap<SipParty, string>();

function partyLabel(party: SipParty): string {
  let label = PARTY_LABELS.get(party);
  if (label === undefined) {
    label = party.stack === 'pbx' ? 'pbx' : party.stack === 'listener' ? `listener:${party.connectionId}` : `softphone:${party.username}`;
    PARTY_LABELS.set(party, label);
  }
  return label;
}

/**
 * Where the journal keeps messages' bytes: copied one after another into shared 1 MiB chunks, each
 * entry naming its chunk, offset and length. A chunk goes when the last entry in it does (the ring
 * drops entries oldest first, so chunks go in order). A Buffer per entry (or the datagram's own,
 * for a received message) cost two objects the collector promoted and traced for the entry's life.
 */
const CHUNK_BYTES = 1 << 20;
let chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
let chunkUsed = 0;

/**
 * A SIP message in the journal. The summary is read when it is recorded (the message object may be
 * reused afterwards, e.g. resent with credentials); the text is made from the bytes only when
 * someone reads it, and is always redacted: no digest `response=` leaves the journal.
 */
export class SipMessageEntry implements SipEntry {
  readonly kind = 'sip' as const;
  readonly seq: number;
  readonly at: number;
  readonly wall: number;
  readonly party: string;
  readonly stack: SipParty['stack'];
  readonly connectionId?: string;
  readonly username?: string;
  readonly direction: 'in' | 'out';
  readonly transport: 'UDP' | 'TCP';
  readonly local: string;
  readonly remote: string;
  readonly sipCallId?: string;
  readonly method?: string;
  readonly status?: number;
  readonly reason?: string;
  readonly cseq?: string;
  readonly fromTag?: string;
  readonly toTag?: string;
  readonly branch?: string;
  readonly error?: string;
  retransmission = false;
  readonly #chunk: Buffer;
  readonly #offset: number;
  readonly #length: number;
  #text: string | undefined;

  constructor(stamp: Omit<EntryStamp, 'wall'>, party: SipParty, trace: SipTraceEntry) {
    this.seq = stamp.seq;
    this.at = stamp.at;
    this.wall = trace.at;
    this.stack = party.stack;
    if (party.stack === 'listener') this.connectionId = party.connectionId;
    if (party.stack === 'softphone') this.username = party.username;
    this.party = partyLabel(party);
    this.direction = trace.direction;
    this.transport = trace.remote.protocol;
    this.local = hostPort(trace.local);
    this.remote = hostPort(trace.remote);
    const data = trace.data;
    if (data.length > CHUNK_BYTES / 8) {
      this.#chunk = Buffer.from(data);
      this.#offset = 0;
    } else {
      if (chunkUsed + data.length > CHUNK_BYTES) {
        chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
        chunkUsed = 0;
      }
      data.copy(chunk, chunkUsed);
      this.#chunk = chunk;
      this.#offset = chunkUsed;
      chunkUsed += data.length;
    }
    this.#length = data.length;
    let summary: Summary;
    if (trace.message !== undefined) summary = summarize(trace.message);
    else {
      // Bytes resent as they were (a retransmitted final response), or bytes that do not parse.
      const parsed = parseMessage(trace.data);
      summary = parsed.ok ? summarize(parsed.message) : { error: parsed.error };
    }
    Object.assign(this, summary);
  }

  /** What identifies the message for retransmission checks: party, direction, Call-ID, CSeq, branch, method or status. */
  get identity(): string | undefined {
    if (this.cseq === undefined) return undefined;
    return `${this.party}|${this.direction}|${this.sipCallId}|${this.cseq}|${this.branch}|${this.method ?? this.status}`;
  }

  get text(): string {
    this.#text ??= redactAuthorization(this.#chunk.toString('utf8', this.#offset, this.#offset + this.#length));
    return this.#text;
  }

  toJSON(): SipEntry {
    return { ...this, text: this.text };
  }
}
