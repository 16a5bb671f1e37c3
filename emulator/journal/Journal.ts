import { IdentityHash, IntMap } from '../../sip/index.js';
import { type Clock, wallClockMs } from '../core/clock.js';
import { ApiExchangeEntry, type ApiExchange } from './ApiExchangeEntry.js';
import type { EntryInit, JournalEntry, JournalKind } from './entries.js';
import { SecretRedactor } from './redact.js';

/** Which entries a reader wants; every field narrows. */
export interface JournalFilter {
  /** Entries after this sequence number. */
  since?: number;
  /** Kinds, exactly (`call.state`) or by family (`call` for every `call.*`). */
  kinds?: readonly string[];
  /** A call's id (`call_…`) or SIP Call-ID; call entries match on either. */
  callIds?: readonly string[];
  connectionId?: string;
  /** At most this many, the latest. */
  limit?: number;
}

export interface JournalOptions {
  clock: Clock;
  /** How many entries the ring keeps; the oldest go first. */
  capacity: number;
  /** About how many bytes the kept entries may hold (bodies and SIP messages); the oldest go first. Default 64 MiB. */
  maxBytes?: number;
  /**
   * How many bytes of API bodies the latest changes and failures keep; older exchanges keep their
   * status and headers and say how many bytes went (the journal file keeps them all). Default 4 MiB.
   */
  bodyBudget?: number;
  /** Told of every entry as it is recorded, e.g. an NDJSON file. */
  sinks?: ReadonlyArray<(entry: JournalEntry) => void>;
}

type Handler = (entry: JournalEntry) => void;

/**
 * Where the journal keeps entries of one kind in a compact form of their own (SIP messages: see
 * `SipColumns`), in the ring slots it assigns them, and from which it builds an entry object only
 * when someone reads that entry. Entries kept as objects were each promoted by the collector and
 * traced until the ring let them go: in-process, the registrar used 12% more CPU per registration
 * that way (median of 12 alternating runs), and its heap held 30 MB more.
 */
export interface CompactStore {
  readonly kind: JournalKind;
  /** The entry kept in `slot`, built now (a new object at each call). */
  build(slot: number, seq: number): JournalEntry;
  /** False when the entry in `slot` surely fails `filter`, decided without building it. */
  mayMatch(slot: number, filter: JournalFilter): boolean;
  /** The entry in `slot` is gone: let go of what it holds. */
  release(slot: number): void;
}

/** Writes an entry into `slot` of a compact store; when `eager`, also returns it built, for the subscribers that want it now. */
export type CompactWrite = (slot: number, seq: number, at: number, eager: boolean) => JournalEntry | undefined;

/** Retransmission checks remember this many recent message identities. */
const IDENTITY_MEMORY = 20_000;
/** For `seenBefore`'s one-part identities. */
const SCRATCH = new IdentityHash();
/** What an entry costs besides its texts, roughly. */
const ENTRY_OVERHEAD = 256;

/**
 * One ordered, bounded record of everything that happens in the emulator: API requests and
 * responses, every SIP message of every stack, lifecycle, registration, call, agent, fault and
 * clock events. Each entry has a sequence number and both clocks' times. SIP traces, call
 * timelines, pcap exports and the event stream are views of it.
 *
 * @example
 * const journal = new Journal({ clock, capacity: 10_000 });
 * journal.record({ kind: 'emulator.reset' });
 * journal.entries({ kinds: ['sip'], callIds: ['abc@127.0.0.1'] });
 * await journal.waitFor((e) => e.kind === 'connection.status' && e.status.sipStatus === 'online', 5000, 'online');
 */
export class Journal {
  /** Each slot an entry, or the compact store that keeps the slot's entry. */
  private readonly ring: Array<JournalEntry | CompactStore | undefined>;
  /** The sequence number and approximate bytes of each kept entry, beside it in the ring. */
  private readonly seqs: Float64Array;
  private readonly sizes: Float64Array;
  private bytes = 0;
  private readonly maxBytes: number;
  private head = 0;
  private size = 0;
  private seq = 0;
  /** Each subscriber, with the kinds it wants (all when undefined). */
  private readonly handlers = new Map<Handler, readonly string[] | undefined>();
  /**
   * The remembered identities as two 30-bit hashes each: the first keys the map, the second must
   * match too (a false "seen" needs both to collide: about 1 in 2^60). Numbers, not strings: an
   * identity kept as a string was promoted and traced for as long as it was remembered. An IntMap:
   * a Map under this churn was rebuilt every few seconds at a registrar's rate, in fresh memory.
   */
  private readonly identities = new IntMap();
  /**
   * The remembered identities in the order they came, as a ring: the oldest is forgotten by its
   * slot. (Deleting a Map's first key instead costs a scan over every earlier deletion's hole
   * until the table is rehashed: 13% of the registrar's time at full rate.)
   */
  private readonly identityRing = new Int32Array(IDENTITY_MEMORY * 2).fill(-1);
  private identityNext = 0;
  private readonly secrets = new SecretRedactor();
  /** API exchanges that still hold bodies, oldest first, from `bodiesHead` on (before it: let go). */
  private readonly withBodies: Array<ApiExchangeEntry | undefined> = [];
  private bodiesHead = 0;
  private bodyBytes = 0;
  private readonly bodyBudget: number;

  constructor(private readonly options: JournalOptions) {
    if (!(Number.isInteger(options.capacity) && options.capacity > 0)) throw new RangeError(`Journal: capacity must be a positive integer, got ${options.capacity}`);
    this.ring = new Array<JournalEntry | CompactStore | undefined>(options.capacity);
    this.seqs = new Float64Array(options.capacity);
    this.sizes = new Float64Array(options.capacity);
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.bodyBudget = options.bodyBudget ?? 4 * 1024 * 1024;
  }

  /** The sequence number of the latest entry (0 before the first). */
  get lastSeq(): number {
    return this.seq;
  }

  get capacity(): number {
    return this.options.capacity;
  }

  /** What the journal holds now against its bounds (read-only, for diagnostics). */
  usage(): { entries: number; capacity: number; bytes: number; maxBytes: number; bodyBytes: number; bodyBudget: number; subscribers: number } {
    return { entries: this.size, capacity: this.options.capacity, bytes: this.bytes, maxBytes: this.maxBytes, bodyBytes: this.bodyBytes, bodyBudget: this.bodyBudget, subscribers: this.handlers.size };
  }

  /** Stamps and keeps an entry, then tells every subscriber. */
  record<E extends EntryInit>(init: E): JournalEntry {
    const entry = { seq: ++this.seq, at: this.options.clock.now(), wall: wallClockMs(), ...init } as unknown as JournalEntry;
    this.keep(entry, ENTRY_OVERHEAD);
    this.notify(entry);
    return entry;
  }

  /**
   * Keeps an entry in `store`'s compact form (see CompactStore): `write` fills the slot the
   * journal gives it and, when a sink or subscriber wants entries of that kind now, returns the
   * entry built, which they are then given.
   */
  appendCompact(store: CompactStore, bytes: number, write: CompactWrite): void {
    const seq = ++this.seq;
    const slot = this.keep(store, ENTRY_OVERHEAD + bytes, seq);
    const entry = write(slot, seq, this.options.clock.now(), this.wants(store.kind));
    if (entry !== undefined) this.notify(entry);
  }

  /**
   * Whether a message with this identity (party, direction, Call-ID, CSeq, branch, method or
   * status) was recorded before: a retransmission. Remembers the latest identities only.
   */
  seenBefore(identity: string): boolean {
    const hash = SCRATCH.reset().add(identity);
    return this.seenBeforeHashed(hash.first, hash.second);
  }

  /** `seenBefore` for an identity already hashed, part by part (see IdentityHash). */
  seenBeforeHashed(first: number, second: number): boolean {
    if (this.identities.get(first) === second) return true;
    const slot = this.identityNext * 2;
    const oldest = this.identityRing[slot]!;
    // Forgotten only if no newer identity with the same first hash took its place in the map.
    if (oldest !== -1 && this.identities.get(oldest) === this.identityRing[slot + 1]) this.identities.delete(oldest);
    this.identityRing[slot] = first;
    this.identityRing[slot + 1] = second;
    this.identityNext = (this.identityNext + 1) % IDENTITY_MEMORY;
    this.identities.set(first, second);
    return false;
  }

  /**
   * Records a public or control API request and its response; a body's passwords never reach an
   * entry. Subscribers and the journal file get the whole exchange. The ring then keeps the bodies
   * of changes and failures (within `bodyBudget`), but not the body of a successful read: keeping
   * every list a load test reads cost a quarter of its throughput (bench/api), and what a GET
   * answered is what the resource says now.
   */
  recordApi(exchange: ApiExchange): void {
    const entry = new ApiExchangeEntry(++this.seq, this.options.clock.now(), wallClockMs(), exchange, this.secrets);
    const bodies = entry.bodyBytes;
    // Its bodies count against the body budget below, not the ring's.
    this.keep(entry, ENTRY_OVERHEAD);
    this.notify(entry);
    if (bodies === 0) return;
    if (exchange.method === 'GET' && exchange.status < 400) return entry.dropBodies();
    this.withBodies.push(entry);
    this.bodyBytes += bodies;
    while (this.bodyBytes > this.bodyBudget && this.bodiesHead < this.withBodies.length) this.forgetBodies();
  }

  /**
   * Lets go of the bodies of the oldest exchange that holds some: when the budget is spent, or when
   * the ring drops that exchange (exchanges hold bodies in the order they came, so the one dropped
   * is always the oldest still holding any). No body outlives its entry, where no one could read it.
   */
  private forgetBodies(): void {
    const oldest = this.withBodies[this.bodiesHead]!;
    this.withBodies[this.bodiesHead++] = undefined;
    this.bodyBytes -= oldest.bodyBytes;
    oldest.dropBodies();
    // Compact the queue now and then, instead of shifting it every time.
    if (this.bodiesHead > 1024 && this.bodiesHead * 2 > this.withBodies.length) {
      this.withBodies.splice(0, this.bodiesHead);
      this.bodiesHead = 0;
    }
  }

  /**
   * The kept entries that pass `filter`, oldest first. Read from the newest back, so that `since`
   * and `limit` end the walk early: a compact entry (a SIP message) is built only when read.
   */
  entries(filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    const capacity = this.options.capacity;
    const limit = filter.limit ?? Infinity;
    for (let i = this.size - 1; i >= 0 && out.length < limit; i--) {
      const slot = (this.head + i) % capacity;
      if (filter.since !== undefined && this.seqs[slot]! <= filter.since) break;
      const kept = this.ring[slot]!;
      let entry: JournalEntry;
      if (isCompact(kept)) {
        if (filter.kinds !== undefined && !kindMatches(kept.kind, filter.kinds)) continue;
        if (!kept.mayMatch(slot, filter)) continue;
        entry = kept.build(slot, this.seqs[slot]!);
      } else entry = kept;
      if (matches(entry, filter)) out.push(entry);
    }
    return out.reverse();
  }

  private dropOldest(): void {
    this.bytes -= this.sizes[this.head]!;
    const kept = this.ring[this.head];
    if (kept !== undefined && isCompact(kept)) kept.release(this.head);
    else if (kept !== undefined && kept === this.withBodies[this.bodiesHead]) this.forgetBodies();
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.options.capacity;
    this.size--;
  }

  /**
   * Calls `handler` with every entry from now on (of `kinds` only, exactly or by family, when
   * given), synchronously; returns the unsubscribe function. Naming the kinds spares the journal
   * building the SIP messages a subscriber does not want.
   */
  subscribe(handler: Handler, kinds?: readonly string[]): () => void {
    this.handlers.set(handler, kinds);
    return () => this.handlers.delete(handler);
  }

  /**
   * Resolves with the first entry from now on that satisfies `predicate`; rejects after
   * `timeoutMs` of real time with a message naming what was awaited. With `since` (a `lastSeq`
   * read earlier), entries recorded after it count too: what a request set off may be recorded
   * before its response comes back.
   *
   * @example
   * const since = journal.lastSeq;
   * const call = await control.createCall({ from: 'caller', to: '101' });
   * await journal.waitFor((e) => e.kind === 'call.state' && e.callId === call.id && e.state === 'active', 10_000, 'the answer', since);
   */
  waitFor<E extends JournalEntry>(predicate: (entry: JournalEntry) => entry is E, timeoutMs?: number, what?: string, since?: number): Promise<E>;
  waitFor(predicate: (entry: JournalEntry) => boolean, timeoutMs?: number, what?: string, since?: number): Promise<JournalEntry>;
  waitFor(predicate: (entry: JournalEntry) => boolean, timeoutMs = 10_000, what = 'a journal entry', since?: number): Promise<JournalEntry> {
    if (since !== undefined) {
      const recorded = this.entries({ since }).find(predicate);
      if (recorded !== undefined) return Promise.resolve(recorded);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`omnisip: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const unsubscribe = this.subscribe((entry) => {
        if (!predicate(entry)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(entry);
      });
    });
  }

  /** Puts an entry (or the store keeping it) in the next slot, dropping the oldest as the bounds require; returns the slot. */
  private keep(kept: JournalEntry | CompactStore, bytes: number, seq = (kept as JournalEntry).seq): number {
    const capacity = this.options.capacity;
    if (this.size === capacity) this.dropOldest();
    while (this.size > 0 && this.bytes + bytes > this.maxBytes) this.dropOldest();
    const slot = (this.head + this.size++) % capacity;
    this.ring[slot] = kept;
    this.seqs[slot] = seq;
    this.sizes[slot] = bytes;
    this.bytes += bytes;
    return slot;
  }

  /** Whether a sink or a subscriber wants entries of `kind` as they come. */
  private wants(kind: JournalKind): boolean {
    if ((this.options.sinks?.length ?? 0) > 0) return true;
    for (const kinds of this.handlers.values()) if (kinds === undefined || kindMatches(kind, kinds)) return true;
    return false;
  }

  private notify(entry: JournalEntry): void {
    for (const sink of this.options.sinks ?? []) sink(entry);
    for (const [handler, kinds] of this.handlers) {
      if (kinds !== undefined && !kindMatches(entry.kind, kinds)) continue;
      try {
        handler(entry);
      } catch (error) {
        // A broken subscriber (a closed event stream) must not break the emulator.
        this.handlers.delete(handler);
        process.emitWarning(`omnisip: a journal subscriber threw and was removed: ${(error as Error).message}`);
      }
    }
  }
}

/** Whether `kind` is one of `kinds`, exactly or by family (`call` matches `call.state`). */
export function kindMatches(kind: JournalKind, kinds: readonly string[]): boolean {
  return kinds.some((k) => k === kind || kind.startsWith(`${k}.`));
}

function isCompact(kept: JournalEntry | CompactStore): kept is CompactStore {
  return typeof (kept as CompactStore).build === 'function';
}

function matches(entry: JournalEntry, filter: JournalFilter): boolean {
  if (filter.since !== undefined && entry.seq <= filter.since) return false;
  if (filter.kinds !== undefined && !kindMatches(entry.kind, filter.kinds)) return false;
  if (filter.connectionId !== undefined && (entry as { connectionId?: string | null }).connectionId !== filter.connectionId) return false;
  if (filter.callIds !== undefined) {
    const { callId, sipCallId } = entry as { callId?: string; sipCallId?: string };
    if (!filter.callIds.some((id) => id === callId || id === sipCallId)) return false;
  }
  return true;
}
