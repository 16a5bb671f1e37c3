import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createResponse } from './createResponse.js';
import { parseMessage, type ParseResult } from './parseMessage.js';
import { serializeMessage } from './serializeMessage.js';
import type { SipMessage } from './SipMessage.js';

const SEED_MESSAGES = [
  'INVITE sip:bob@biloxi.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds, SIP/2.0/UDP [::1]:5070;branch=z9hG4bK2\r\n' +
    'Max-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.com>\r\nFrom: "Alice, \\"A\\"" <sip:alice@atlanta.com>;tag=1928301774\r\nCall-ID: a84b4c76e66710@pc33.atlanta.com\r\n' +
    'CSeq: 314159 INVITE\r\nContact: <sip:alice@pc33.atlanta.com>, <sip:a,b@h>;q=0.1\r\nSubject: folded\r\n  line\r\nContent-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\r\n',
  'SIP/2.0 401 Unauthorized\r\nv: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKx;rport=5060;received=127.0.0.1\r\nf: <sip:a@127.0.0.1>;tag=1\r\nt: <sip:a@127.0.0.1>;tag=2\r\n' +
    'i: 1@h\r\nCSeq: 2 REGISTER\r\nWWW-Authenticate: Digest realm="r", nonce="a,b", qop="auth,auth-int", algorithm=SHA-256\r\nl: 0\r\n\r\n',
  'REGISTER sip:127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKr;rport\nFrom: sip:101@127.0.0.1;tag=a\nTo: sip:101@127.0.0.1\nCall-ID: r1\nCSeq: 1 REGISTER\n' +
    'Contact: *\nExpires: 0\nX-Unknown: a, "b;c", <d>\n\n',
];

function summary(message: SipMessage) {
  const start = message.type === 'request' ? [message.method, message.uri] : [message.status, message.reason];
  return { type: message.type, start, headers: message.headers.entries(), body: message.body.toString('hex') };
}

/** The properties every input must satisfy: no throw, a well-formed result, and idempotent round-trips. */
function checkResult(input: Buffer | string): void {
  const result: ParseResult = parseMessage(input);
  if (result.ok) {
    const again = parseMessage(serializeMessage(result.message));
    expect(again.ok).toBe(true);
    if (again.ok) expect(summary(again.message)).toEqual(summary(result.message));
    return;
  }
  expect(result.error).toMatch(/^[\x20-\x7e\u00a0-\uffff]+$/);
  if (result.answerable !== undefined) {
    // The caller answers with a 400 whose reason is the error: that response must be sendable.
    const response = serializeMessage(createResponse(result.answerable, 400, result.error));
    expect(response.toString().split('\r\n')[0]).toBe(`SIP/2.0 400 ${result.error}`);
  }
}

type Mutation =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'bytes'; at: number; bytes: Uint8Array }
  | { kind: 'duplicateLine'; at: number };

const sipAlphabet = fc.constantFrom(...'\r\n \t:;,<>"\\@%[]=/?&*0123456789abcDEFzSIP.-~'.split(''), 'SIP/2.0', 'Via', 'CSeq', 'Content-Length', '\r\n\r\n', '\r\n ');

const mutation: fc.Arbitrary<Mutation> = fc.oneof<fc.Arbitrary<Mutation>[]>(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.array(sipAlphabet, { minLength: 1, maxLength: 5 }).map((a) => a.join('')) }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('duplicateLine' as const), at: fc.nat() }),
);

function mutate(seed: Buffer, mutations: Mutation[]): Buffer {
  let buf = seed;
  for (const m of mutations) {
    const at = buf.length === 0 ? 0 : m.at % buf.length;
    if (m.kind === 'delete') buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.length)]);
    else if (m.kind === 'insert') buf = Buffer.concat([buf.subarray(0, at), Buffer.from(m.text), buf.subarray(at)]);
    else if (m.kind === 'bytes') buf = Buffer.concat([buf.subarray(0, at), Buffer.from(m.bytes), buf.subarray(at)]);
    else {
      const lineStart = buf.lastIndexOf(0x0a, at) + 1;
      const lineEnd = buf.indexOf(0x0a, at);
      const line = buf.subarray(lineStart, lineEnd === -1 ? buf.length : lineEnd + 1);
      buf = Buffer.concat([buf.subarray(0, lineStart), line, line, buf.subarray(lineStart + line.length)]);
    }
  }
  return buf;
}
describe('parseMessage under fuzzing', () => {
  it('the seed messages are valid', () => {
    for (const seed of SEED_MESSAGES) expect(parseMessage(seed).ok).toBe(true);
  });

  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => checkResult(Buffer.from(bytes))), { numRuns: 1000 });
  });

  it('never throws on random strings of SIP punctuation', () => {
    fc.assert(fc.property(fc.array(sipAlphabet, { maxLength: 120 }), (parts) => checkResult(parts.join(''))), { numRuns: 1000 });
  });

  it('never throws on mutated valid messages, and round-trips those still valid', () => {
    const seeds = SEED_MESSAGES.map((s) => Buffer.from(s));
    let stillValid = 0;
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, mutations) => {
        const input = mutate(seed, mutations);
        if (parseMessage(input).ok) stillValid++;
        checkResult(input);
      }),
      { numRuns: 2000 },
    );
    // Mutations must leave enough valid messages for the round-trip property to mean something.
    expect(stillValid).toBeGreaterThan(200);
  });

  it('round-trips generated valid messages exactly', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9\-.!%*_+`'~]{1,12}$/);
    const value = fc.stringMatching(/^[ -~]{0,40}$/);
    // Headers the parser checks are excluded: a random value in them is rightly refused (Contact: a request's Contacts are validated).
    const header = fc.tuple(token.filter((n) => !/^(l|content-length|via|v|from|f|to|t|call-id|i|cseq|max-forwards|contact|m)$/i.test(n)), value);
    fc.assert(
      fc.property(fc.array(header, { maxLength: 12 }), fc.uint8Array({ maxLength: 64 }), fc.boolean(), (extra, body, asResponse) => {
        const head = asResponse ? 'SIP/2.0 180 Ringing' : 'OPTIONS sip:127.0.0.1 SIP/2.0';
        const lines = ['Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1', 'From: <sip:a@127.0.0.1>;tag=1', 'To: <sip:b@127.0.0.1>', 'Call-ID: x', 'CSeq: 1 OPTIONS', ...extra.map(([n, v]) => `${n}: ${v}`)];
        const input = Buffer.concat([Buffer.from(`${head}\r\n${lines.join('\r\n')}\r\nContent-Length: ${body.length}\r\n\r\n`), Buffer.from(body)]);
        const result = parseMessage(input);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.message.body.equals(Buffer.from(body))).toBe(true);
        expect(result.message.headers.entries().slice(5, 5 + extra.length).map(([, v]) => v)).toEqual(extra.map(([, v]) => v.trim()));
        checkResult(input);
      }),
      { numRuns: 500 },
    );
  });
});
