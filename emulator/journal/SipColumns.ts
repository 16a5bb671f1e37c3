import { IdentityHash, parseMessage, type SipMessage, type SipTraceEntry } from '../../sip/index.js';
import { fnv1a } from '../core/index.js';
import type { SipParty } from './entries.js';
import type { CompactStore, Journal, JournalFilter } from './Journal.js';
import { branchOf, hostPort, partyLabel, SipMessageEntry, summaryOf, type SipWire } from './SipMessageEntry.js';

/** Flag bits of a kept message. */
const OUT = 1;
const TCP = 2;
const RETRANSMISSION = 4;
const HAS_CALL_ID = 8;

/**
 * Messages' bytes are copied one after another into shared 1 MiB chunks, each slot naming its
 * chunk, offset and length. A chunk is done with when the last slot in it is let go (the ring drops
 * entries oldest first, so chunks go in order); it is then filled again, unless an entry built from
 * it may still be read. A bigger message gets a buffer of its own.
 */
const CHUNK_BYTES = 1 << 20;
/**
 * Chunks done with that are kept to be filled again. A fresh chunk costs a page fault per 4 KiB
 * on first write (about 11 µs each on a VM measured: 3.7% of a busy registrar's time).
 */
const SPARE_CHUNKS = 2;

/** A message's identity (party, direction, Call-ID, CSeq, branch, method or status), hashed for the retransmission check. */
const IDENTITY = new IdentityHash();

/** Each journal's SIP columns, made when its first recorder is. */
const COLUMNS = new WeakMap<Journal, SipColumns>();

/**
 * The journal's SIP messages, kept in columns beside its ring: per slot the times, the party, the
 * addresses, direction, transport and retransmission flag, the bytes (in shared chunks) and a hash
 * of the Call-ID. No object per message outlives its recording; an entry (SipMessageEntry, its
 * summary parsed from the bytes) is built when someone reads it. Filters by connection and by
 * Call-ID are decided on the columns first, so a call's ladder builds only that call's messages.
 *
 * @example
 * const record = SipColumns.of(journal).recorder({ stack: 'pbx' });
 * const stack = new SipStack({ transport, onTrace: record });
 */
export class SipColumns implements CompactStore {
  readonly kind = 'sip' as const;
  private readonly at: Float64Array;
  private readonly wall: Float64Array;
  private readonly flags: Uint8Array;
  private readonly offsets: Int32Array;
  private readonly lengths: Int32Array;
  private readonly callIdHashes: Int32Array;
  private readonly parties: Array<SipParty | undefined>;
  private readonly locals: Array<string | undefined>;
  private readonly remotes: Array<string | undefined>;
  private readonly chunks: Array<Buffer | undefined>;
  private chunk: Buffer | undefined;
  private chunkUsed = 0;
  /** Slots still in each shared chunk. */
  private readonly slotsIn = new Map<Buffer, number>();
  /** Chunks an entry was built from: such an entry reads its bytes later, so they are never written over. */
  private readonly lent = new WeakSet<Buffer>();
  private readonly spare: Buffer[] = [];
  /** The Call-ID hashes of the last filter asked about (readers ask about one filter for many slots). */
  private lastFilter: JournalFilter | undefined;
  private lastHashes: number[] = [];

  private constructor(private readonly journal: Journal) {
    const n = journal.capacity;
    this.at = new Float64Array(n);
    this.wall = new Float64Array(n);
    this.flags = new Uint8Array(n);
    this.offsets = new Int32Array(n);
    this.lengths = new Int32Array(n);
    this.callIdHashes = new Int32Array(n);
    this.parties = new Array<SipParty | undefined>(n);
    this.locals = new Array<string | undefined>(n);
    this.remotes = new Array<string | undefined>(n);
    this.chunks = new Array<Buffer | undefined>(n);
  }

  /** The columns of `journal`, made on first use. */
  static of(journal: Journal): SipColumns {
    let columns = COLUMNS.get(journal);
    if (columns === undefined) COLUMNS.set(journal, (columns = new SipColumns(journal)));
    return columns;
  }

  /**
   * The `onTrace` hook of one SIP stack: each message it sends or receives becomes a journal entry,
   * marked as a retransmission when the same message (Call-ID, CSeq, branch, method or status)
   * already went that way at that party.
   */
  recorder(party: SipParty): (trace: SipTraceEntry) => void {
    return (trace) => this.journal.appendCompact(this, trace.data.length, (slot, seq, at, eager) => this.write(slot, seq, at, eager, party, trace));
  }

  private write(slot: number, seq: number, at: number, eager: boolean, party: SipParty, trace: SipTraceEntry): SipMessageEntry | undefined {
    const data = trace.data;
    let message: SipMessage | undefined = trace.message;
    if (message === undefined) {
      // Bytes resent as they were (a retransmitted final response), or bytes that do not parse.
      const parsed = parseMessage(data);
      if (parsed.ok) message = parsed.message;
    }
    const callId = message?.headers.get('Call-ID');
    const cseq = message?.headers.get('CSeq');
    let flags = (trace.direction === 'out' ? OUT : 0) | (trace.remote.protocol === 'TCP' ? TCP : 0) | (callId !== undefined ? HAS_CALL_ID : 0);
    if (message !== undefined && cseq !== undefined) {
      const what = message.type === 'request' ? message.method : message.status;
      const identity = IDENTITY.reset().add(partyLabel(party)).add(trace.direction).add(callId).addCollapsed(cseq).add(branchOf(message.headers.get('Via'))).add(what);
      if (this.journal.seenBeforeHashed(identity.first, identity.second)) flags |= RETRANSMISSION;
    }
    this.at[slot] = at;
    this.wall[slot] = trace.at;
    this.flags[slot] = flags;
    this.callIdHashes[slot] = callId === undefined ? 0 : fnv1a(callId) | 0;
    this.parties[slot] = party;
    this.locals[slot] = hostPort(trace.local);
    this.remotes[slot] = hostPort(trace.remote);
    this.store(slot, data);
    if (!eager) return undefined;
    return new SipMessageEntry({ seq, at, wall: trace.at }, this.wire(slot), summaryOf(message, data), (flags & RETRANSMISSION) !== 0);
  }

  private store(slot: number, data: Buffer): void {
    if (data.length > CHUNK_BYTES / 8) {
      this.chunks[slot] = Buffer.from(data);
      this.offsets[slot] = 0;
    } else {
      if (this.chunk === undefined || this.chunkUsed + data.length > CHUNK_BYTES) {
        const full = this.chunk;
        this.chunk = this.spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
        this.chunkUsed = 0;
        if (full !== undefined && this.slotsIn.get(full) === 0) this.doneWith(full);
      }
      this.chunk.set(data, this.chunkUsed);
      this.chunks[slot] = this.chunk;
      this.slotsIn.set(this.chunk, (this.slotsIn.get(this.chunk) ?? 0) + 1);
      this.offsets[slot] = this.chunkUsed;
      this.chunkUsed += data.length;
    }
    this.lengths[slot] = data.length;
  }

  private wire(slot: number): SipWire {
    const flags = this.flags[slot]!;
    this.lent.add(this.chunks[slot]!);
    return {
      party: this.parties[slot]!,
      direction: (flags & OUT) !== 0 ? 'out' : 'in',
      transport: (flags & TCP) !== 0 ? 'TCP' : 'UDP',
      local: this.locals[slot]!,
      remote: this.remotes[slot]!,
      chunk: this.chunks[slot]!,
      offset: this.offsets[slot]!,
      length: this.lengths[slot]!,
    };
  }

  build(slot: number, seq: number): SipMessageEntry {
    const wire = this.wire(slot);
    const bytes = wire.chunk.subarray(wire.offset, wire.offset + wire.length);
    return new SipMessageEntry({ seq, at: this.at[slot]!, wall: this.wall[slot]! }, wire, summaryOf(undefined, bytes), (this.flags[slot]! & RETRANSMISSION) !== 0);
  }

  mayMatch(slot: number, filter: JournalFilter): boolean {
    if (filter.connectionId !== undefined) {
      const party = this.parties[slot]!;
      if (party.stack !== 'listener' || party.connectionId !== filter.connectionId) return false;
    }
    if (filter.callIds !== undefined) {
      if ((this.flags[slot]! & HAS_CALL_ID) === 0) return false;
      if (filter !== this.lastFilter) {
        this.lastFilter = filter;
        this.lastHashes = filter.callIds.map((id) => fnv1a(id) | 0);
      }
      if (!this.lastHashes.includes(this.callIdHashes[slot]!)) return false;
    }
    return true;
  }

  release(slot: number): void {
    const chunk = this.chunks[slot];
    this.chunks[slot] = undefined;
    this.parties[slot] = undefined;
    const left = chunk === undefined ? undefined : this.slotsIn.get(chunk);
    if (left === undefined) return;
    this.slotsIn.set(chunk!, left - 1);
    if (left === 1 && chunk !== this.chunk) this.doneWith(chunk!);
  }

  /** A shared chunk none of the ring's slots is in any more: kept to be filled again, unless lent. */
  private doneWith(chunk: Buffer): void {
    this.slotsIn.delete(chunk);
    if (!this.lent.has(chunk) && this.spare.length < SPARE_CHUNKS) this.spare.push(chunk);
  }
}
