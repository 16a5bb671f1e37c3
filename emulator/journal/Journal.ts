import { type Clock, wallClockMs } from '../core/clock.js';
import { flatCopy } from '../core/flatCopy.js';
import { ApiExchangeEntry, type ApiExchange } from './ApiExchangeEntry.js';
import type { EntryInit, EntryStamp, JournalEntry, JournalKind } from './entries.js';
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

/** Retransmission checks remember this many recent message identities. */
const IDENTITY_MEMORY = 20_000;
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
  private readonly ring: Array<JournalEntry | undefined>;
  /** The approximate bytes of each kept entry, beside it in the ring. */
  private readonly sizes: Float64Array;
  private bytes = 0;
  private readonly maxBytes: number;
  private head = 0;
  private size = 0;
  private seq = 0;
  private readonly handlers = new Set<Handler>();
  private readonly identities = new Set<string>();
  /**
   * The remembered identities in the order they came, as a ring: the oldest is forgotten by its
   * slot. (Deleting a Map's first key instead costs a scan over every earlier deletion's hole
   * until the table is rehashed: 13% of the registrar's time at full rate.)
   */
  private readonly identityRing = new Array<string | undefined>(IDENTITY_MEMORY);
  private identityNext = 0;
  private readonly secrets = new SecretRedactor();
  /** API exchanges that still hold bodies, oldest first, from `bodiesHead` on. */
  private readonly withBodies: ApiExchangeEntry[] = [];
  private bodiesHead = 0;
  private bodyBytes = 0;
  private readonly bodyBudget: number;

  constructor(private readonly options: JournalOptions) {
    if (!(Number.isInteger(options.capacity) && options.capacity > 0)) throw new RangeError(`Journal: capacity must be a positive integer, got ${options.capacity}`);
    this.ring = new Array<JournalEntry | undefined>(options.capacity);
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
    return entry;
  }

  /**
   * Keeps an entry the caller builds from its stamp (sequence number and emulator time), for
   * entries with a shape of their own, such as SIP messages (see `sipRecorder`).
   */
  append(build: (stamp: Omit<EntryStamp, 'wall'>) => JournalEntry, bytes: number): void {
    this.keep(build({ seq: ++this.seq, at: this.options.clock.now() }), ENTRY_OVERHEAD + bytes);
  }

  /**
   * Whether a message with this identity (party, direction, Call-ID, CSeq, branch, method or
   * status) was recorded before: a retransmission. Remembers the latest identities only.
   */
  seenBefore(identity: string): boolean {
    if (this.identities.has(identity)) return true;
    const oldest = this.identityRing[this.identityNext];
    if (oldest !== undefined) this.identities.delete(oldest);
    // Kept as one flat string: built by concatenation, it would be a tree over its parts (and over
    // the message fields they were sliced from) for as long as it is remembered.
    const kept = flatCopy(identity);
    this.identityRing[this.identityNext] = kept;
    this.identityNext = (this.identityNext + 1) % IDENTITY_MEMORY;
    this.identities.add(kept);
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
    if (bodies === 0) return;
    if (exchange.method === 'GET' && exchange.status < 400) return entry.dropBodies();
    this.withBodies.push(entry);
    this.bodyBytes += bodies;
    while (this.bodyBytes > this.bodyBudget && this.bodiesHead < this.withBodies.length) {
      const oldest = this.withBodies[this.bodiesHead++]!;
      this.bodyBytes -= oldest.bodyBytes;
      oldest.dropBodies();
    }
    // Compact the queue now and then, instead of shifting it on every exchange.
    if (this.bodiesHead > 1024 && this.bodiesHead * 2 > this.withBodies.length) {
      this.withBodies.splice(0, this.bodiesHead);
      this.bodiesHead = 0;
    }
  }

  /** The kept entries that pass `filter`, oldest first. */
  entries(filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    const capacity = this.options.capacity;
    for (let i = 0; i < this.size; i++) {
      const entry = this.ring[(this.head + i) % capacity]!;
      if (matches(entry, filter)) out.push(entry);
    }
    return filter.limit !== undefined && out.length > filter.limit ? out.slice(out.length - filter.limit) : out;
  }

  private dropOldest(): void {
    this.bytes -= this.sizes[this.head]!;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.options.capacity;
    this.size--;
  }

  /** Calls `handler` with every entry from now on, synchronously; returns the unsubscribe function. */
  subscribe(handler: Handler): () => void {
    this.handlers.add(handler);
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
      const recorded = this.entries().find((entry) => entry.seq > since && predicate(entry));
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

  private keep(entry: JournalEntry, bytes: number): void {
    const capacity = this.options.capacity;
    if (this.size === capacity) this.dropOldest();
    while (this.size > 0 && this.bytes + bytes > this.maxBytes) this.dropOldest();
    const slot = (this.head + this.size++) % capacity;
    this.ring[slot] = entry;
    this.sizes[slot] = bytes;
    this.bytes += bytes;
    for (const sink of this.options.sinks ?? []) sink(entry);
    for (const handler of this.handlers) {
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
