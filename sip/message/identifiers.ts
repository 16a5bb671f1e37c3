import { randomFromPool, type RandomBytes } from '../../random/index.js';

/**
 * Identifiers draw from `random`: the pooled cryptographic source by default, a seeded one when a
 * run must be reproducible (the SIP stack passes its own).
 */

/** RFC 3261 §8.1.1.7: the branch MUST start with the magic cookie "z9hG4bK" and be unique across space and time. */
export function generateBranch(random: RandomBytes = randomFromPool): string {
  return `z9hG4bK${random(12).toString('hex')}`;
}

/** RFC 3261 §19.3: at least 32 bits of randomness. */
export function generateTag(random: RandomBytes = randomFromPool): string {
  return random(8).toString('hex');
}

/** RFC 3261 §8.1.1.4: globally unique; `host` (if given) is appended after '@'. */
export function generateCallId(host?: string, random: RandomBytes = randomFromPool): string {
  const id = random(16).toString('hex');
  return host === undefined || host === '' ? id : `${id}@${host}`;
}
