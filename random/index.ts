// Random sources shared by the protocol layers and the emulator: seeded for reproducible runs, pooled cryptographic bytes otherwise.
export { cryptoSource, seededSource, type RandomBytes, type RandomSource } from './RandomSource.js';
export { fnv1a } from './fnv1a.js';
export { randomFromPool } from './randomPool.js';
export { seededRandom, type Random } from './seededRandom.js';
