import { flatCopy } from '../message/grammar.js';
import { IdentityHash } from '../message/IdentityHash.js';
import { IntMap } from '../message/IntMap.js';

/** Re-sends one absorbed response's bytes to where it went; a rejection is reported, not thrown. */
export type Resend<To> = (data: Buffer, to: To) => Promise<void>;

/** Names a destination, so absorbers going to the same place share one (optional). */
export type RouteKey<To> = (to: To) => string;

/** A destination shared by every absorber going there, counted so it goes with the last of them. */
interface SharedRoute<To> {
  readonly to: To;
  readonly key: string;
  users: number;
}

/**
 * Bytes of responses are copied into chunks, filled in order and freed oldest first: the first is
 * FIRST_CHUNK_BYTES, each new one twice the last, up to CHUNK_BYTES. Every SIP stack has absorbers
 * (an emulator with 5,000 connections has 5,000 stacks, most never answering a request), so an
 * idle one holds next to nothing: a ring of FIRST_CAPACITY slots and no chunk.
 */
const CHUNK_BYTES = 1 << 20;
const FIRST_CHUNK_BYTES = 4096;
const FIRST_CAPACITY = 16;

/**
 * What is left of completed non-INVITE server transactions over UDP while Timer J runs (RFC 3261
 * §17.2.2: 64*T1, 32 s): the key, the final response's bytes, where to send them again, and the
 * deadline. A busy registrar completes thousands of transactions a second, so 32 s of them is
 * 100,000 and more at once. They are kept as a ring of plain numbers, not an object each:
 * - the responses' bytes are copied into 1 MiB chunks, written in order and freed oldest first;
 * - the deadlines, chunk positions and lengths are typed arrays indexed by the ring's slot;
 * - a destination is shared by all the absorbers going to it (with `routeKey`), so none keeps
 *   the request it came from alive through a slice of its text;
 * - the key is kept as its two 30-bit hashes (IdentityHash), not as text: the first indexes a map
 *   of small integers, the second is checked in a typed array, and absorbers whose first hashes
 *   are equal are chained newest first through the ring. A key kept as text was two strings per
 *   absorber (17 MB of a registrar's heap at 5,400 REGISTERs/s); a false match needs both hashes
 *   of another live key to be equal (about 1 in 2^60 per request at that rate).
 * The collector then has a map entry per absorber to trace, instead of an object, a Buffer and
 * the request's strings, which lived just long enough to be promoted and then died in the old
 * generation. Timer J has one length, so deadlines come in insertion order and one
 * timer sweeps the oldest. The one `resend` belongs to the stack: a closure made with the
 * transaction would keep its whole scope (request, transaction) alive for 32 s.
 *
 * @example
 * const absorbers = new ResponseAbsorbers<Endpoint>((data, to) => transport.send(data, to), (m) => console.warn(m), formatEndpoint);
 * absorbers.add(key, bytes, destination, 32_000);
 * if (absorbers.absorb(key)) return; // a retransmission of a request we already answered
 */
export class ResponseAbsorbers<To> {
  /** The newest absorber with each first hash: its sequence number in the ring. */
  private readonly byHash = new IntMap(FIRST_CAPACITY);
  private readonly hash = new IdentityHash();
  private readonly routes = new Map<string, SharedRoute<To>>();
  private capacity = FIRST_CAPACITY;
  /** Per slot: the key's first and second hashes, and the next older absorber with the same first hash (-1: none). */
  private firstHash = new Int32Array(FIRST_CAPACITY);
  private secondHash = new Int32Array(FIRST_CAPACITY);
  private older = new Float64Array(FIRST_CAPACITY);
  private destinations: Array<SharedRoute<To> | undefined> = new Array<SharedRoute<To> | undefined>(FIRST_CAPACITY);
  private until = new Float64Array(FIRST_CAPACITY);
  private chunkOf = new Float64Array(FIRST_CAPACITY);
  private offset = new Uint32Array(FIRST_CAPACITY);
  private length = new Uint32Array(FIRST_CAPACITY);
  /** Sequence numbers of the oldest absorber in the ring and of the next one. */
  private head = 0;
  private tail = 0;
  /** Chunks in use, oldest first; the newest has sequence number `nextChunk - 1`. */
  private chunks: Buffer[] = [];
  private nextChunk = 0;
  /** Bytes written into the newest chunk. */
  private written = 0;
  private nextChunkBytes = FIRST_CHUNK_BYTES;
  private spare: Buffer | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly resend: Resend<To>,
    private readonly warn: (message: string) => void,
    private readonly routeKey?: RouteKey<To>,
  ) {}

  get size(): number {
    return this.tail - this.head;
  }

  /** Bytes held for the responses (whole chunks). */
  get bytes(): number {
    return this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  /** Keeps `bytes` for `forMs`, re-sent by `absorb` for every retransmission of the request. */
  add(key: string, bytes: Buffer, to: To, forMs: number): void {
    if (this.tail - this.head === this.capacity) this.grow();
    const seq = this.tail++;
    const slot = seq & (this.capacity - 1);
    const { first, second } = this.hash.reset().add(key);
    this.firstHash[slot] = first;
    this.secondHash[slot] = second;
    this.older[slot] = this.byHash.get(first) ?? -1;
    this.byHash.set(first, seq);
    this.destinations[slot] = this.share(to);
    this.until[slot] = performance.now() + forMs;
    this.length[slot] = bytes.length;
    this.store(bytes, slot);
    this.schedule();
  }

  /** A retransmission of an answered request: sends the response again. False when none is kept. */
  absorb(key: string): boolean {
    const seq = this.find(key);
    if (seq === undefined) return false;
    const slot = seq & (this.capacity - 1);
    const chunk = this.chunks[this.chunkOf[slot]! - this.firstChunk]!;
    const start = this.offset[slot]!;
    const data = chunk.subarray(start, start + this.length[slot]!);
    this.resend(data, this.destinations[slot]!.to).catch((error: unknown) => this.warn(`SIP transaction: could not resend a final response: ${error instanceof Error ? error.message : String(error)}`));
    return true;
  }

  clear(): void {
    while (this.head < this.tail) this.forgetOldest();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.chunks = [];
    this.written = 0;
    this.spare = undefined;
  }

  /** The newest live absorber of `key`: along the chain of its first hash, the first whose second hash is the key's too. */
  private find(key: string): number | undefined {
    const { first, second } = this.hash.reset().add(key);
    let seq = this.byHash.get(first) ?? -1;
    // The chain runs newest to oldest, so it ends at the first absorber already forgotten.
    while (seq >= this.head) {
      const slot = seq & (this.capacity - 1);
      if (this.secondHash[slot] === second) return seq;
      seq = this.older[slot]!;
    }
    return undefined;
  }

  /** Copies the response into the newest chunk (a new one when it does not fit) and notes where. */
  private store(bytes: Buffer, slot: number): void {
    let chunk = this.chunks[this.chunks.length - 1];
    if (chunk === undefined || this.written + bytes.length > chunk.length) {
      const reuse = this.spare !== undefined && this.spare.length >= bytes.length ? this.spare : undefined;
      this.spare = undefined;
      chunk = reuse ?? Buffer.allocUnsafeSlow(Math.max(this.nextChunkBytes, bytes.length));
      this.nextChunkBytes = Math.min(CHUNK_BYTES, this.nextChunkBytes * 2);
      this.chunks.push(chunk);
      this.nextChunk++;
      this.written = 0;
    }
    bytes.copy(chunk, this.written);
    this.chunkOf[slot] = this.nextChunk - 1;
    this.offset[slot] = this.written;
    this.written += bytes.length;
  }

  /** Sequence number of `chunks[0]`. */
  private get firstChunk(): number {
    return this.nextChunk - this.chunks.length;
  }

  private share(to: To): SharedRoute<To> {
    if (this.routeKey === undefined) return { to, key: '', users: 1 };
    const key = this.routeKey(to);
    let route = this.routes.get(key);
    if (route === undefined) {
      route = { to, key: flatCopy(key), users: 0 };
      this.routes.set(route.key, route);
    }
    route.users++;
    return route;
  }

  /** Doubles the ring, keeping every absorber at the slot its sequence number gives. */
  private grow(): void {
    const old = { capacity: this.capacity, firstHash: this.firstHash, secondHash: this.secondHash, older: this.older, destinations: this.destinations, until: this.until, chunkOf: this.chunkOf, offset: this.offset, length: this.length };
    this.capacity *= 2;
    this.firstHash = new Int32Array(this.capacity);
    this.secondHash = new Int32Array(this.capacity);
    this.older = new Float64Array(this.capacity);
    this.destinations = new Array<SharedRoute<To> | undefined>(this.capacity);
    this.until = new Float64Array(this.capacity);
    this.chunkOf = new Float64Array(this.capacity);
    this.offset = new Uint32Array(this.capacity);
    this.length = new Uint32Array(this.capacity);
    for (let seq = this.head; seq < this.tail; seq++) {
      const from = seq & (old.capacity - 1);
      const to = seq & (this.capacity - 1);
      this.firstHash[to] = old.firstHash[from]!;
      this.secondHash[to] = old.secondHash[from]!;
      this.older[to] = old.older[from]!;
      this.destinations[to] = old.destinations[from];
      this.until[to] = old.until[from]!;
      this.chunkOf[to] = old.chunkOf[from]!;
      this.offset[to] = old.offset[from]!;
      this.length[to] = old.length[from]!;
    }
  }

  private forgetOldest(): void {
    const seq = this.head++;
    const slot = seq & (this.capacity - 1);
    // The oldest of its chain: the map lets go of the hash only if no newer absorber has it since.
    const first = this.firstHash[slot]!;
    if (this.byHash.get(first) === seq) this.byHash.delete(first);
    const route = this.destinations[slot]!;
    if (--route.users === 0 && this.routeKey !== undefined) this.routes.delete(route.key);
    this.destinations[slot] = undefined;
  }

  /** Frees the chunks that only absorbers already forgotten used; the last one freed is kept for reuse. */
  private freeChunks(): void {
    const oldestInUse = this.head < this.tail ? this.chunkOf[this.head & (this.capacity - 1)]! : this.nextChunk - 1;
    while (this.firstChunk < oldestInUse && this.chunks.length > 1) this.spare = this.chunks.shift();
    if (this.head === this.tail && this.chunks.length === 1) this.written = 0;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.head === this.tail) return;
    const oldest = this.until[this.head & (this.capacity - 1)]!;
    this.timer = setTimeout(() => this.sweep(), Math.max(0, oldest - performance.now()));
    this.timer.unref?.();
  }

  private sweep(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.head < this.tail && this.until[this.head & (this.capacity - 1)]! <= now) this.forgetOldest();
    this.freeChunks();
    this.schedule();
  }
}
