/** FNV-1a's prime, and the offset bases of the two hashes. */
const PRIME = 0x01000193;
const FIRST_BASIS = 0x811c9dc5;
const SECOND_BASIS = 0x9e3779b9;
/** The low 30 bits: small integers V8 keeps unboxed (a Map of larger numbers allocates one per key). */
const SMALL = 0x3fffffff;
const SEPARATOR = 0x7c; // '|'
const SPACE = 0x20;

/**
 * Two FNV-1a hashes (30 bits each) of an identity, fed part by part: the same as hashing the parts
 * joined by '|', without building that text. The journal asks for one per SIP message it records,
 * so the parts (party, direction, Call-ID, CSeq, branch, method or status) are hashed where they
 * lie, in one pass for both hashes; the stack's response absorbers key a transaction by one.
 * Not a defence against chosen collisions: a peer can craft a second text with the same hashes.
 *
 * @example
 * const hash = new IdentityHash().add('pbx').add('in').addCollapsed('1  REGISTER');
 * journal.seenBeforeHashed(hash.first, hash.second);
 */
export class IdentityHash {
  private a = FIRST_BASIS;
  private b = SECOND_BASIS;
  private parts = 0;

  /** The first hash, 30 bits. */
  get first(): number {
    return this.a & SMALL;
  }

  /** The second hash, 30 bits, from another basis. */
  get second(): number {
    return this.b & SMALL;
  }

  /** Starts over, to hash another identity with the same object. */
  reset(): this {
    this.a = FIRST_BASIS;
    this.b = SECOND_BASIS;
    this.parts = 0;
    return this;
  }

  /** The next part as it is ("undefined" for none, as a template literal writes it). */
  add(part: string | number | undefined): this {
    const text = typeof part === 'string' ? part : String(part);
    this.separate();
    for (let i = 0; i < text.length; i++) this.mix(text.charCodeAt(i));
    return this;
  }

  /** The next part with its whitespace runs as single spaces and its ends trimmed (a CSeq as entries show it). */
  addCollapsed(part: string): this {
    this.separate();
    let space = false;
    let started = false;
    for (let i = 0; i < part.length; i++) {
      const code = part.charCodeAt(i);
      if (code === SPACE || code === 0x09 || code === 0x0a || code === 0x0d) {
        space = started;
        continue;
      }
      if (space) this.mix(SPACE);
      space = false;
      started = true;
      this.mix(code);
    }
    return this;
  }

  private separate(): void {
    if (this.parts++ > 0) this.mix(SEPARATOR);
  }

  private mix(code: number): void {
    this.a = Math.imul(this.a ^ code, PRIME) >>> 0;
    this.b = Math.imul(this.b ^ code, PRIME) >>> 0;
  }
}
