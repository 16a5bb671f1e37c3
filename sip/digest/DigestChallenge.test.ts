import { describe, expect, it } from 'vitest';
import { formatChallenge, parseChallenge } from './DigestChallenge.js';

describe('parseChallenge', () => {
  it('parses the RFC 2617 §3.5 challenge (MD5 by default)', () => {
    expect(parseChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"')).toEqual({
      realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', opaque: '5ccc069c403ebaf9f0171e9517f40e41', algorithm: 'MD5', qop: ['auth', 'auth-int'],
    });
  });

  it('parses SHA-256, stale and case-insensitive names, scheme and algorithm', () => {
    expect(parseChallenge('digest  REALM="atlanta.com",nonce="n1" , algorithm=sha-256, stale=TRUE, domain="sip:ss1.carrier.com"')).toEqual({
      realm: 'atlanta.com', nonce: 'n1', algorithm: 'SHA-256', stale: true,
    });
    expect(parseChallenge('Digest realm="r", nonce="n", stale=false')?.stale).toBe(false);
  });

  it('unescapes quoted values', () => {
    expect(parseChallenge('Digest realm="a \\"quoted\\" realm, with comma", nonce="n"')?.realm).toBe('a "quoted" realm, with comma');
  });

  it.each([
    ['Basic realm="r"'], ['Digest'], ['Digest nonce="n"'], ['Digest realm="r"'], ['Digest realm="r", nonce=""'],
    ['Digest realm="r", nonce="n", algorithm=MD5-sess'], ['Digest realm="r", nonce="n", algorithm=SHA-512-256'],
    ['Digest realm="r", nonce="n", realm="again"'], ['Digest realm="r, nonce="n"'], ['Digest realm="r" nonce="n"'], ['Digest realm=, nonce="n"'], ['Digestrealm="r", nonce="n"'],
  ])('rejects %j', (text) => {
    expect(parseChallenge(text)).toBeUndefined();
  });
});

describe('formatChallenge', () => {
  it('writes quoted values, the algorithm, qop options and stale=true', () => {
    expect(formatChallenge({ realm: 'r"x', nonce: 'abc', opaque: 'o', algorithm: 'SHA-256', qop: ['auth'], stale: true })).toBe('Digest realm="r\\"x", nonce="abc", opaque="o", algorithm=SHA-256, qop="auth", stale=true');
    expect(formatChallenge({ realm: 'r', nonce: 'n', algorithm: 'MD5', stale: false })).toBe('Digest realm="r", nonce="n", algorithm=MD5');
  });

  it('round-trips', () => {
    const challenges = [
      { realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', opaque: '5ccc069c403ebaf9f0171e9517f40e41', algorithm: 'MD5' as const, qop: ['auth', 'auth-int'] },
      { realm: 'a \\ b, "c"', nonce: 'n', algorithm: 'SHA-256' as const, stale: true },
    ];
    for (const c of challenges) expect(parseChallenge(formatChallenge(c))).toEqual(c);
  });
});
