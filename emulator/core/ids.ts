import { createHash } from 'node:crypto';
import type { RandomSource } from '../../random/index.js';

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
const alphabetCodes = Array.from(alphabet, (char) => char.charCodeAt(0));
const ID_LENGTH = 24;

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
  /** Ids restored from saved state: a seeded source draws them again after a restart, so they are skipped. */
  private readonly taken = new Set<string>();

  constructor(private readonly random: RandomSource) {}

  /** The character codes of an id's random part, reused: one string per id, not one per character (bench/api). */
  private readonly codes = new Array<number>(ID_LENGTH).fill(0);

  next(prefix: IdPrefix): string {
    for (;;) {
      const bytes = this.random.bytes(ID_LENGTH);
      for (let i = 0; i < ID_LENGTH; i++) this.codes[i] = alphabetCodes[bytes[i]! % alphabetCodes.length]!;
      const id = `${prefix}_${String.fromCharCode.apply(null, this.codes)}`;
      if (!this.taken.has(id)) return id;
    }
  }

  /** Marks ids as in use (restored ones), so `next` never returns them. */
  reserve(ids: Iterable<string>): void {
    for (const id of ids) this.taken.add(id);
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
