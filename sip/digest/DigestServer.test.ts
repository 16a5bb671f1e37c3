import { describe, expect, it, vi } from 'vitest';
import { formatChallenge, parseChallenge, type DigestChallenge } from './DigestChallenge.js';
import { DigestClient } from './DigestClient.js';
import { parseCredentials, type DigestCredentials } from './DigestCredentials.js';
import { DigestServer } from './DigestServer.js';
import { NonceMac } from './NonceMac.js';

const URI = 'sip:127.0.0.1';

function first(challenges: DigestChallenge[]): DigestChallenge {
  const c = challenges[0];
  if (c === undefined) throw new Error('no challenge');
  return c;
}

function answer(challenge: DigestChallenge, password = 'secret', method = 'REGISTER'): DigestCredentials {
  const credentials = parseCredentials(new DigestClient('101', password).authorize(challenge, method, URI));
  if (credentials === undefined) throw new Error('client produced unparseable credentials');
  return credentials;
}

describe('DigestServer', () => {
  it('challenges once per algorithm, SHA-256 first by default (RFC 8760 §2.4), with qop=auth and a shared nonce', () => {
    expect(new DigestServer({ realm: 'r' }).challenge().map((c) => c.algorithm)).toEqual(['SHA-256', 'MD5']);
    const challenges = new DigestServer({ realm: '127.0.0.1', algorithms: ['MD5', 'SHA-256'] }).challenge();
    // The server's order of preference is the caller's: MD5 first serves clients that read only the first challenge.
    expect(challenges.map((c) => c.algorithm)).toEqual(['MD5', 'SHA-256']);
    expect(challenges.every((c) => c.realm === '127.0.0.1' && c.qop?.join() === 'auth' && c.nonce === challenges[0]?.nonce)).toBe(true);
    expect(challenges[0]?.stale).toBeUndefined();
  });

  it('offers what it is told: one algorithm, no qop, stale on request', () => {
    const [only, ...rest] = new DigestServer({ realm: 'r', algorithms: ['MD5'], qop: false }).challenge({ stale: true });
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ algorithm: 'MD5', stale: true });
    expect(only).not.toHaveProperty('qop');
  });

  it('issues a different nonce on every challenge, safe inside a quoted string', () => {
    const server = new DigestServer({ realm: 'r' });
    const a = first(server.challenge());
    const b = first(server.challenge());
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.nonce).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(parseChallenge(formatChallenge(a))).toEqual(a);
  });

  it.each([['SHA-256'], ['MD5']] as const)('accepts the right password over %s, with and without qop', (algorithm) => {
    for (const qop of [true, false]) {
      const server = new DigestServer({ realm: '127.0.0.1', algorithms: [algorithm], qop });
      const challenge = first(server.challenge());
      expect(server.verify(answer(challenge), 'REGISTER', 'secret')).toBe('ok');
    }
  });

  it('accepts a client that ignores the offered qop (RFC 2069 form)', () => {
    const server = new DigestServer({ realm: 'r' });
    const { qop: _qop, ...challenge } = first(server.challenge());
    const credentials = answer(challenge);
    expect(credentials.qop).toBeUndefined();
    expect(server.verify(credentials, 'REGISTER', 'secret')).toBe('ok');
  });

  it('rejects a wrong password as invalid', () => {
    const server = new DigestServer({ realm: '127.0.0.1' });
    expect(server.verify(answer(first(server.challenge()), 'wrong'), 'REGISTER', 'secret')).toBe('invalid');
  });

  it('rejects a response computed for another method or with a tampered field', () => {
    const server = new DigestServer({ realm: '127.0.0.1' });
    const credentials = answer(first(server.challenge()));
    expect(server.verify(credentials, 'INVITE', 'secret')).toBe('invalid');
    expect(server.verify({ ...credentials, uri: 'sip:other' }, 'REGISTER', 'secret')).toBe('invalid');
    expect(server.verify({ ...credentials, nc: '00000009' }, 'REGISTER', 'secret')).toBe('invalid');
    expect(server.verify({ ...credentials, realm: 'elsewhere' }, 'REGISTER', 'secret')).toBe('invalid');
  });

  it('keeps a nonce valid through its lifetime, then answers stale for a right password only', () => {
    let now = 1_700_000_000_000;
    const server = new DigestServer({ realm: 'r', nonceLifetimeMs: 60_000, now: () => now });
    const challenge = first(server.challenge());
    now += 60_000;
    expect(server.verify(answer(challenge), 'REGISTER', 'secret')).toBe('ok');
    now += 1;
    expect(server.verify(answer(challenge), 'REGISTER', 'secret')).toBe('stale');
    expect(server.verify(answer(challenge, 'wrong'), 'REGISTER', 'secret')).toBe('invalid');
  });

  it('defaults the nonce lifetime to 5 minutes', () => {
    let now = 0;
    const server = new DigestServer({ realm: 'r', now: () => now });
    const challenge = first(server.challenge());
    now = 5 * 60_000;
    expect(server.verify(answer(challenge), 'REGISTER', 'secret')).toBe('ok');
    now += 1;
    expect(server.verify(answer(challenge), 'REGISTER', 'secret')).toBe('stale');
  });

  it('needs no state: a server with the same secret accepts the nonce, one with another secret does not', () => {
    const secret = Buffer.alloc(32, 7);
    const issuer = new DigestServer({ realm: 'r', secret });
    const credentials = answer(first(issuer.challenge()));
    expect(new DigestServer({ realm: 'r', secret: Buffer.from(secret) }).verify(credentials, 'REGISTER', 'secret')).toBe('ok');
    expect(new DigestServer({ realm: 'r', secret: Buffer.alloc(32, 8) }).verify(credentials, 'REGISTER', 'secret')).toBe('invalid');
    expect(new DigestServer({ realm: 'r' }).verify(credentials, 'REGISTER', 'secret')).toBe('invalid');
  });

  it('accepts a nonce issued thousands of challenges ago as it accepts the latest (the recent ones are remembered, older ones checked by their MAC)', () => {
    let now = 1_700_000_000_000;
    const server = new DigestServer({ realm: 'r', now: () => now });
    const early = first(server.challenge());
    for (let i = 0; i < 5000; i++) server.challenge();
    const latest = first(server.challenge());
    now += 1000;
    expect(server.verify(answer(early), 'REGISTER', 'secret')).toBe('ok');
    expect(server.verify(answer(latest), 'REGISTER', 'secret')).toBe('ok');
    expect(server.verify(answer(early, 'wrong'), 'REGISTER', 'secret')).toBe('invalid');
    now += 5 * 60_000;
    expect(server.verify(answer(early), 'REGISTER', 'secret')).toBe('stale');
    expect(server.verify(answer(latest), 'REGISTER', 'secret')).toBe('stale');
  });

  it('checks a recent nonce by its memory and an older one by its MAC', () => {
    const server = new DigestServer({ realm: 'r' });
    const early = first(server.challenge());
    for (let i = 0; i < 5000; i++) server.challenge();
    const recent = [...Array(100)].map(() => first(server.challenge()));
    const sign = vi.spyOn(NonceMac.prototype, 'sign');
    try {
      for (const challenge of recent) expect(server.verify(answer(challenge), 'REGISTER', 'secret')).toBe('ok');
      expect(sign).not.toHaveBeenCalled();
      expect(server.verify(answer(early), 'REGISTER', 'secret')).toBe('ok');
      expect(sign).toHaveBeenCalledTimes(1);
    } finally {
      sign.mockRestore();
    }
  });

  it('rejects a forged or garbled nonce as invalid, even with a matching response', () => {
    const server = new DigestServer({ realm: 'r' });
    const real = first(server.challenge());
    const bytes = Buffer.from(real.nonce, 'base64url');
    bytes.writeBigUInt64BE(bytes.readBigUInt64BE() + 1000n);
    for (const nonce of [bytes.toString('base64url'), 'dcd98b7102dd2f0e8b11d0f600bfb0c093', 'not a nonce!', '']) {
      expect(server.verify(answer({ ...real, nonce }), 'REGISTER', 'secret')).toBe('invalid');
    }
  });

  it('answers malformed for credentials it cannot check', () => {
    const server = new DigestServer({ realm: 'r', algorithms: ['SHA-256'] });
    const challenge = first(server.challenge());
    const good = answer(challenge);
    expect(server.verify({ ...good, algorithm: 'MD5' }, 'REGISTER', 'secret')).toBe('malformed');
    expect(server.verify({ ...good, qop: 'auth-int' }, 'REGISTER', 'secret')).toBe('malformed');
    expect(server.verify({ ...good, nc: 'zz' }, 'REGISTER', 'secret')).toBe('malformed');
    expect(server.verify({ ...good, username: '' }, 'REGISTER', 'secret')).toBe('malformed');
    expect(server.verify({ ...good, response: 'not-hex' }, 'REGISTER', 'secret')).toBe('malformed');
    const { cnonce: _dropped, ...withoutCnonce } = good;
    expect(server.verify(withoutCnonce, 'REGISTER', 'secret')).toBe('malformed');
  });

  it('accepts an upper-case hex response', () => {
    const server = new DigestServer({ realm: 'r' });
    const credentials = answer(first(server.challenge()));
    expect(server.verify({ ...credentials, response: credentials.response.toUpperCase() }, 'REGISTER', 'secret')).toBe('ok');
  });
});
