import { parseMessage, redactAuthorization, type SipMessage } from '../../sip/index.js';
import { flatCopy } from '../core/flatCopy.js';
import type { EntryStamp, SipEntry, SipParty } from './entries.js';

/** The few `host:port` strings a journal names, one copy each: every entry names two of them. */
const HOST_PORTS = new Map<string, Map<number, string>>();
const MAX_HOST_PORTS = 4096;
let hostPorts = 0;

export function hostPort(e: { address: string; port: number }): string {
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
export interface Summary {
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

export function summarize(message: SipMessage): Summary {
  const { headers } = message;
  const summary: Summary = message.type === 'request' ? { method: message.method } : { status: message.status, reason: message.reason };
  const callId = headers.get('Call-ID');
  if (callId !== undefined) summary.sipCallId = callId;
  const cseq = headers.get('CSeq');
  if (cseq !== undefined) summary.cseq = normalCSeq(cseq);
  const fromTag = tagOf(headers.get('From'));
  if (fromTag !== undefined) summary.fromTag = fromTag;
  const toTag = tagOf(headers.get('To'));
  if (toTag !== undefined) summary.toTag = toTag;
  const branch = branchOf(headers.get('Via'));
  if (branch !== undefined) summary.branch = branch;
  return summary;
}

/** A CSeq value with its whitespace made single spaces, as entries show it. */
export function normalCSeq(cseq: string): string {
  return cseq.replace(/\s+/g, ' ').trim();
}

/** The branch parameter of a Via value. */
export function branchOf(via: string | undefined): string | undefined {
  return via === undefined ? undefined : BRANCH.exec(via)?.[1];
}

/** Each stack's party label, made once: a stack's recorder passes the same party with every message. */
const PARTY_LABELS = new WeakMap<SipParty, string>();

export function partyLabel(party: SipParty): string {
  let label = PARTY_LABELS.get(party);
  if (label === undefined) {
    label = party.stack === 'pbx' ? 'pbx' : party.stack === 'listener' ? `listener:${party.connectionId}` : `softphone:${party.username}`;
    PARTY_LABELS.set(party, label);
  }
  return label;
}

/** Where a message is and how it went: what SipColumns keeps of it, and what an entry is built from. */
export interface SipWire {
  party: SipParty;
  direction: 'in' | 'out';
  transport: 'UDP' | 'TCP';
  /** `host:port` strings, made by `hostPort`. */
  local: string;
  remote: string;
  /** The message's bytes are `chunk[offset, offset + length)`. */
  chunk: Buffer;
  offset: number;
  length: number;
}

/**
 * A SIP message in the journal, built when it is recorded (for the subscribers that want it then)
 * or when it is read from SipColumns. The text is made from the bytes only when someone reads it,
 * and is always redacted: no digest `response=` leaves the journal.
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
  readonly retransmission: boolean;
  readonly #chunk: Buffer;
  readonly #offset: number;
  readonly #length: number;
  #text: string | undefined;

  /** `summary`: read from the message object when there is one, else from the bytes (see `summaryOf`). */
  constructor(stamp: EntryStamp, wire: SipWire, summary: Summary, retransmission: boolean) {
    this.seq = stamp.seq;
    this.at = stamp.at;
    this.wall = stamp.wall;
    const { party } = wire;
    this.stack = party.stack;
    if (party.stack === 'listener') this.connectionId = party.connectionId;
    if (party.stack === 'softphone') this.username = party.username;
    this.party = partyLabel(party);
    this.direction = wire.direction;
    this.transport = wire.transport;
    this.local = wire.local;
    this.remote = wire.remote;
    this.#chunk = wire.chunk;
    this.#offset = wire.offset;
    this.#length = wire.length;
    Object.assign(this, summary);
    this.retransmission = retransmission;
  }

  get text(): string {
    this.#text ??= redactAuthorization(this.#chunk.toString('utf8', this.#offset, this.#offset + this.#length));
    return this.#text;
  }

  toJSON(): SipEntry {
    return { ...this, text: this.text };
  }
}

/** The summary of a message: from the object when there is one; else parsed from its bytes (resent as they were, or not parseable). */
export function summaryOf(message: SipMessage | undefined, bytes: Buffer): Summary {
  if (message !== undefined) return summarize(message);
  const parsed = parseMessage(bytes);
  return parsed.ok ? summarize(parsed.message) : { error: parsed.error };
}
