import { describe, expect, it } from 'vitest';
import { formatCredentials, parseCredentials, type DigestCredentials } from './DigestCredentials.js';

const RFC2617: DigestCredentials = {
  username: 'Mufasa', realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', uri: '/dir/index.html',
  response: '6629fae49393a05397450978507c4ef1', algorithm: 'MD5', cnonce: '0a4f113b', nc: '00000001', qop: 'auth', opaque: '5ccc069c403ebaf9f0171e9517f40e41',
};

describe('parseCredentials', () => {
  it('parses the RFC 2617 §3.5 Authorization (qop and nc as tokens)', () => {
    const value = 'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"';
    expect(parseCredentials(value)).toEqual(RFC2617);
  });

  it('accepts a quoted qop and no qop at all', () => {
    expect(parseCredentials('Digest username="a", realm="r", nonce="n", uri="sip:r", response="ab", qop="auth", nc=00000002, cnonce="c"')?.qop).toBe('auth');
    expect(parseCredentials('Digest username="bob", realm="biloxi.com", nonce="dcd98b", uri="sip:bob@biloxi.com", response="245f2341", algorithm=SHA-256')).toEqual({
      username: 'bob', realm: 'biloxi.com', nonce: 'dcd98b', uri: 'sip:bob@biloxi.com', response: '245f2341', algorithm: 'SHA-256',
    });
  });

  it.each([
    ['Basic dXNlcjpwYXNz'],
    ['Digest realm="r", nonce="n", uri="u", response="x"'],
    ['Digest username="a", nonce="n", uri="u", response="x"'],
    ['Digest username="a", realm="r", uri="u", response="x"'],
    ['Digest username="a", realm="r", nonce="n", response="x"'],
    ['Digest username="a", realm="r", nonce="n", uri="u"'],
    ['Digest username="a", realm="r", nonce="n", uri="u", response="x", algorithm=MD5-sess'],
    ['Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth'],
    ['Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, nc=00000001'],
    ['Digest username="a", username="b", realm="r", nonce="n", uri="u", response="x"'],
  ])('rejects %j', (text) => {
    expect(parseCredentials(text)).toBeUndefined();
  });
});

describe('formatCredentials', () => {
  it('round-trips', () => {
    expect(parseCredentials(formatCredentials(RFC2617))).toEqual(RFC2617);
    const minimal: DigestCredentials = { username: 'us"er\\', realm: 'r', nonce: 'n', uri: 'sip:127.0.0.1', response: 'ab', algorithm: 'SHA-256' };
    expect(parseCredentials(formatCredentials(minimal))).toEqual(minimal);
  });

  it('writes qop and nc unquoted', () => {
    expect(formatCredentials(RFC2617)).toContain('qop=auth, nc=00000001');
  });
});
