/** The fraction of slots in use above which the table doubles. */
const MAX_LOAD = 0.5;
const EMPTY = -1;

/**
 * A map from small non-negative integers (the 30-bit hashes of IdentityHash) to numbers, in two
 * typed arrays: open addressing, linear probing, and deletion by shifting the probe run back, so
 * a deleted key leaves no tombstone. It exists for the tables that churn: the journal's recent
 * message identities and a stack's response absorbers add one key and drop another per message.
 * A `Map` under that churn fills with deleted entries and is rebuilt into a new backing store every
 * so many additions; at a registrar's rate those rebuilds were 17% of the process's page faults
 * (each about 11 µs on the VM measured) and a copy of the whole table each time. Here the arrays
 * are allocated once and only replaced when the number of live keys doubles.
 *
 * @example
 * const byHash = new IntMap(16);
 * byHash.set(hash.first, seq);
 * byHash.get(hash.first); // seq
 * byHash.delete(hash.first);
 */
export class IntMap {
  private keys: Int32Array;
  private values: Float64Array;
  /** 32 minus log2(capacity): Fibonacci hashing takes a key's top bits after the multiply. */
  private shift: number;
  private live = 0;

  /** `capacity` is rounded up to a power of two; the table holds half that many keys before it doubles. */
  constructor(capacity = 16) {
    const bits = Math.max(1, Math.ceil(Math.log2(Math.max(2, capacity))));
    this.keys = new Int32Array(1 << bits).fill(EMPTY);
    this.values = new Float64Array(1 << bits);
    this.shift = 32 - bits;
  }

  get size(): number {
    return this.live;
  }

  /** Slots allocated: twice the keys it holds before it doubles. */
  get capacity(): number {
    return this.keys.length;
  }

  get(key: number): number | undefined {
    const at = this.find(key);
    return at === -1 ? undefined : this.values[at];
  }

  set(key: number, value: number): void {
    if (key < 0 || key > 0x7fffffff || !Number.isInteger(key)) throw new RangeError(`IntMap keys are integers from 0 to 2^31 - 1, not ${key}`);
    const keys = this.keys;
    const mask = keys.length - 1;
    let at = this.home(key);
    while (keys[at] !== EMPTY) {
      if (keys[at] === key) {
        this.values[at] = value;
        return;
      }
      at = (at + 1) & mask;
    }
    keys[at] = key;
    this.values[at] = value;
    if (++this.live > keys.length * MAX_LOAD) this.resize(keys.length * 2);
  }

  delete(key: number): boolean {
    let hole = this.find(key);
    if (hole === -1) return false;
    const keys = this.keys;
    const mask = keys.length - 1;
    // Each later key of the run that may move back into the hole does (its home is not between the hole and it).
    for (let at = (hole + 1) & mask; keys[at] !== EMPTY; at = (at + 1) & mask) {
      const home = this.home(keys[at]!);
      const fromHome = (at - home) & mask;
      const fromHole = (at - hole) & mask;
      if (fromHome >= fromHole) {
        keys[hole] = keys[at]!;
        this.values[hole] = this.values[at]!;
        hole = at;
      }
    }
    keys[hole] = EMPTY;
    this.live--;
    return true;
  }

  clear(): void {
    this.keys.fill(EMPTY);
    this.live = 0;
  }

  private find(key: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let at = this.home(key); keys[at] !== EMPTY; at = (at + 1) & mask) if (keys[at] === key) return at;
    return -1;
  }

  private home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  private resize(capacity: number): void {
    const { keys, values } = this;
    this.keys = new Int32Array(capacity).fill(EMPTY);
    this.values = new Float64Array(capacity);
    this.shift--;
    this.live = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) this.set(keys[i]!, values[i]!);
  }
}
