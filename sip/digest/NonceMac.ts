import { hash } from 'node:crypto';

/** SHA-256's block size: HMAC pads its key to one block (RFC 2104). */
const BLOCK = 64;

/**
 * HMAC-SHA256 (RFC 2104) of a nonce's fixed-length head and the realm, computed as its two
 * hashes with Node's one-shot `hash`, the key's padded blocks made once. `createHmac` builds a
 * key object and an Hmac object per call: 4 µs a nonce where this takes 1.6 µs, and a registrar
 * signs a nonce for every challenge it sends. The MAC is the same bytes (the test checks it
 * against `createHmac`), so nonces signed either way verify either way.
 *
 * @example
 * const mac = new NonceMac(secret, 'pbx.example.com');
 * mac.sign(head, nonceBytes, head.length, 16); // the first 16 bytes of the HMAC, after the head
 */
export class NonceMac {
  /** The inner hash's input: the key xor ipad, then the head, then the realm. */
  readonly #inner: Buffer;
  /** The outer hash's input: the key xor opad, then the inner hash. */
  readonly #outer: Buffer;
  readonly #headBytes: number;

  constructor(secret: Buffer, realm: string, headBytes: number) {
    const key = secret.length > BLOCK ? Buffer.from(hash('sha256', secret, 'hex'), 'hex') : secret;
    const realmBytes = Buffer.from(realm, 'utf8');
    this.#headBytes = headBytes;
    this.#inner = Buffer.alloc(BLOCK + headBytes + realmBytes.length);
    this.#outer = Buffer.alloc(BLOCK + 32);
    for (let i = 0; i < BLOCK; i++) {
      const k = key[i] ?? 0;
      this.#inner[i] = k ^ 0x36;
      this.#outer[i] = k ^ 0x5c;
    }
    realmBytes.copy(this.#inner, BLOCK + headBytes);
  }

  /** Writes the first `bytes` bytes of the MAC of `head` into `into` at `offset`. */
  sign(head: Buffer, into: Buffer, offset: number, bytes: number): void {
    if (head.length !== this.#headBytes) throw new RangeError(`NonceMac: a head is ${this.#headBytes} bytes, not ${head.length}`);
    head.copy(this.#inner, BLOCK);
    this.#outer.write(hash('sha256', this.#inner, 'hex'), BLOCK, 'hex');
    into.write(hash('sha256', this.#outer, 'hex').slice(0, bytes * 2), offset, 'hex');
  }
}
