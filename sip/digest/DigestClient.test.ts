import { describe, expect, it } from 'vitest';
import { parseChallenge } from './DigestChallenge.js';
import { DigestClient } from './DigestClient.js';
import { parseCredentials } from './DigestCredentials.js';
import { computeDigestResponse } from './digestAlgorithm.js';

describe('DigestClient', () => {
  it('reproduces the RFC 2617 §3.5 example (MD5, qop=auth)', () => {
    const challenge = parseChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"');
    if (challenge === undefined) throw new Error('challenge did not parse');
    const client = new DigestClient('Mufasa', 'Circle Of Life', { cnonce: () => '0a4f113b' });
    expect(parseCredentials(client.authorize(challenge, 'GET', '/dir/index.html'))).toEqual({
      username: 'Mufasa', realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', uri: '/dir/index.html',
      response: '6629fae49393a05397450978507c4ef1', algorithm: 'MD5', cnonce: '0a4f113b', nc: '00000001', qop: 'auth', opaque: '5ccc069c403ebaf9f0171e9517f40e41',
    });
  });

  it('reproduces the RFC 7616 §3.9.1 example (SHA-256, qop=auth)', () => {
    const challenge = parseChallenge('Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"');
    if (challenge === undefined) throw new Error('challenge did not parse');
    const client = new DigestClient('Mufasa', 'Circle of Life', { cnonce: () => 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' });
    const credentials = parseCredentials(client.authorize(challenge, 'GET', '/dir/index.html'));
    expect(credentials?.response).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    expect(credentials?.algorithm).toBe('SHA-256');
  });

  it('reproduces the RFC 7616 §3.9.1 MD5 response', () => {
    const challenge = parseChallenge('Digest realm="http-auth@example.org", qop="auth", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"');
    if (challenge === undefined) throw new Error('challenge did not parse');
    const client = new DigestClient('Mufasa', 'Circle of Life', { cnonce: () => 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' });
    expect(parseCredentials(client.authorize(challenge, 'GET', '/dir/index.html'))?.response).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('answers a challenge without qop with the RFC 2069 form', () => {
    const challenge = { realm: 'biloxi.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', algorithm: 'MD5' as const };
    const credentials = parseCredentials(new DigestClient('bob', 'zanzibar').authorize(challenge, 'REGISTER', 'sip:biloxi.com'));
    expect(credentials).toEqual({ username: 'bob', realm: 'biloxi.com', nonce: challenge.nonce, uri: 'sip:biloxi.com', algorithm: 'MD5', response: computeDigestResponse({ ...challenge, username: 'bob', password: 'zanzibar', method: 'REGISTER', uri: 'sip:biloxi.com' }) });
    expect(credentials?.response).toMatch(/^[0-9a-f]{32}$/);
    // No qop: H(H(A1):nonce:H(A2)), independent of any cnonce.
    expect(credentials?.nc).toBeUndefined();
  });

  it('uses no qop when only auth-int is offered', () => {
    const value = new DigestClient('a', 'p').authorize({ realm: 'r', nonce: 'n', algorithm: 'SHA-256', qop: ['auth-int'] }, 'INVITE', 'sip:r');
    expect(parseCredentials(value)).not.toHaveProperty('qop');
  });

  it('counts nc per nonce and uses a fresh cnonce each time', () => {
    const client = new DigestClient('a', 'p');
    const first = { realm: 'r', nonce: 'n1', algorithm: 'MD5' as const, qop: ['auth'] };
    const second = { ...first, nonce: 'n2' };
    const a = parseCredentials(client.authorize(first, 'REGISTER', 'sip:r'));
    const b = parseCredentials(client.authorize(first, 'REGISTER', 'sip:r'));
    const c = parseCredentials(client.authorize(second, 'REGISTER', 'sip:r'));
    expect([a?.nc, b?.nc, c?.nc]).toEqual(['00000001', '00000002', '00000001']);
    expect(a?.cnonce).not.toBe(b?.cnonce);
    expect(a?.response).not.toBe(b?.response);
  });
});
