import { describe, expect, it } from 'vitest';
import { generateBranch, generateCallId, generateTag } from './identifiers.js';
import { isToken } from './grammar.js';

describe('identifiers', () => {
  it('branches carry the RFC 3261 magic cookie and are unique tokens', () => {
    const branches = new Set(Array.from({ length: 1000 }, generateBranch));
    expect(branches.size).toBe(1000);
    for (const b of branches) {
      expect(b.startsWith('z9hG4bK')).toBe(true);
      expect(isToken(b)).toBe(true);
    }
  });

  it('tags are unique tokens with at least 32 random bits', () => {
    const tags = new Set(Array.from({ length: 1000 }, generateTag));
    expect(tags.size).toBe(1000);
    for (const t of tags) expect(t).toMatch(/^[0-9a-f]{16}$/);
  });

  it('Call-IDs are unique and carry the host when given', () => {
    expect(generateCallId('127.0.0.1')).toMatch(/^[0-9a-f]{32}@127\.0\.0\.1$/);
    expect(generateCallId()).toMatch(/^[0-9a-f]{32}$/);
    expect(generateCallId()).not.toBe(generateCallId());
  });
});
