import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NonceMac } from './NonceMac.js';

describe('NonceMac: HMAC-SHA256 of a nonce head and the realm, from two one-shot hashes', () => {
  it('writes the bytes createHmac gives, for keys shorter than, as long as and longer than a block', () => {
    for (const keyBytes of [1, 16, 32, 64, 65, 100]) {
      for (const realm of ['pbx.example.com', '127.0.0.1', 'réalm-ü']) {
        const secret = randomBytes(keyBytes);
        const mac = new NonceMac(secret, realm, 16);
        for (let i = 0; i < 5; i++) {
          const head = randomBytes(16);
          const into = Buffer.alloc(40, 0xee);
          mac.sign(head, into, 16, 16);
          const expected = createHmac('sha256', secret).update(head).update(realm, 'utf8').digest().subarray(0, 16);
          expect(into.subarray(16, 32)).toEqual(expected);
          // Only the bytes asked for are written.
          expect([...into.subarray(0, 16), ...into.subarray(32)].every((b) => b === 0xee)).toBe(true);
        }
      }
    }
  });

  it('refuses a head of another length', () => {
    expect(() => new NonceMac(randomBytes(32), 'r', 16).sign(randomBytes(15), Buffer.alloc(32), 16, 16)).toThrow(/16 bytes, not 15/);
  });
});
