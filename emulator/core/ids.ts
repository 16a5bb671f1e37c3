import { createHash } from 'node:crypto';
import type { RandomSource } from '../../random/index.js';

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

export type IdPrefix = 'agent' | 'chanconfig' | 'sipconn' | 'fault' | 'call' | 'quotareq';

/**
 * New resource ids: the vendor's prefix and 24 characters drawn from `random` (~124 bits). From the
 * cryptographic source ids cannot be guessed across projects; from a seeded one (`--seed`) a run
 * gives the same ids every time, so two runs can be compared entry by entry.
 *
 * @example
 * const ids = new Ids(seededSource(1).fork('ids'));
 * ids.next('agent'); // 'agent_…', the same for every run with seed 1
 */
export class Ids {
  constructor(private readonly random: RandomSource) {}

  next(prefix: IdPrefix): string {
    const bytes = this.random.bytes(24);
    let out = '';
    for (const b of bytes) out += alphabet[b % alphabet.length];
    return `${prefix}_${out}`;
  }
}

/** The `apiKeyId` shown on channel configs: derived from the key, never the key itself. */
export function apiKeyIdOf(apiKey: string): string {
  return `key_${createHash('sha256').update(apiKey).digest('hex').slice(0, 12)}`;
}

/** Integer Unix seconds, as the vendor's `created` and `lastRefreshed`. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
