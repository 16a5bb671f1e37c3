import { randomFromPool as randomBytes } from '../../random/randomPool.js';

/** RFC 3261 §8.1.1.7: the branch MUST start with the magic cookie "z9hG4bK" and be unique across space and time. */
export function generateBranch(): string {
  return `z9hG4bK${randomBytes(12).toString('hex')}`;
}

/** RFC 3261 §19.3: at least 32 bits of randomness. */
export function generateTag(): string {
  return randomBytes(8).toString('hex');
}

/** RFC 3261 §8.1.1.4: globally unique; `host` (if given) is appended after '@'. */
export function generateCallId(host?: string): string {
  const id = randomBytes(16).toString('hex');
  return host === undefined || host === '' ? id : `${id}@${host}`;
}
