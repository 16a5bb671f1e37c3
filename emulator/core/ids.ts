import { createHash } from 'node:crypto';
import { randomFromPool } from '../../random/randomPool.js';

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A new resource id: the vendor's prefix and 24 random characters (~124 bits), so ids cannot be
 * guessed across projects. Never from the seeded random source: ids must not repeat across runs.
 */
export function newId(prefix: 'agent' | 'chanconfig' | 'sipconn' | 'fault' | 'call'): string {
  const bytes = randomFromPool(24);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return `${prefix}_${out}`;
}

/** The `apiKeyId` shown on channel configs: derived from the key, never the key itself. */
export function apiKeyIdOf(apiKey: string): string {
  return `key_${createHash('sha256').update(apiKey).digest('hex').slice(0, 12)}`;
}

/** Integer Unix seconds, as the vendor's `created` and `lastRefreshed`. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
