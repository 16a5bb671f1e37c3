import { randomFillSync } from 'node:crypto';
import { fnv1a } from './fnv1a.js';
import { randomFromPool } from './randomPool.js';
import { seededRandom, type Random } from './seededRandom.js';

/** `size` random bytes in a buffer of their own: what tags, branches, Call-IDs, nonces and ids are made of. */
export type RandomBytes = (size: number) => Buffer;

/**
 * Where every random choice of a run comes from. With a seed, the same inputs draw the same
 * numbers and bytes, so a run can be reproduced (and replayed) exactly; without one, bytes are
 * cryptographically random, so ids and nonces cannot be guessed.
 *
 * Each component takes its own `fork`: a stream of its own, so that one component drawing more
 * (a retransmission, an extra call) does not shift what every other component draws.
 *
 * @example
 * const random = seededSource(42);
 * const pbx = random.fork('pbx');
 * pbx.bytes(12).toString('hex'); // the same on every run with seed 42
 */
export interface RandomSource {
  /** True when the source repeats for the same seed. */
  readonly seeded: boolean;
  /** A float in [0, 1), like Math.random. */
  float(): number;
  bytes(size: number): Buffer;
  /**
   * An independent stream for one component, named so that runs with the same seed give it the
   * same stream. A second fork of the same name (a listener deployed again, a softphone created
   * again under its username) is a stream of its own: its Call-IDs, tags and branches are new.
   */
  fork(label: string): RandomSource;
}

/** A source that repeats for the same seed (mulberry32 for floats, four bytes per draw for bytes). */
export function seededSource(seed: number): RandomSource {
  const next: Random = seededRandom(seed);
  const forks = new Map<string, number>();
  return {
    seeded: true,
    float: next,
    bytes(size) {
      const out = Buffer.allocUnsafe(size);
      for (let i = 0; i < size; i += 4) {
        const word = Math.floor(next() * 0x1_0000_0000);
        for (let j = 0; j < 4 && i + j < size; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
      }
      return out;
    },
    fork(label) {
      const n = forks.get(label) ?? 0;
      forks.set(label, n + 1);
      return seededSource(mixSeed(seed, n === 0 ? label : `${label}#${n}`));
    },
  };
}

/** Unguessable bytes from the pooled cryptographic source; forks are the same source. */
export function cryptoSource(): RandomSource {
  const scratch = Buffer.allocUnsafe(4);
  const source: RandomSource = {
    seeded: false,
    float() {
      randomFillSync(scratch);
      return scratch.readUInt32LE(0) / 0x1_0000_0000;
    },
    bytes: randomFromPool,
    fork: () => source,
  };
  return source;
}

/** FNV-1a of the label, folded into the seed: distinct labels give unrelated streams. */
function mixSeed(seed: number, label: string): number {
  return fnv1a(label, 0x811c9dc5 ^ (seed >>> 0));
}
