import { describe, expect, it } from 'vitest';
import { StreamFramer } from './StreamFramer.js';

function message(body: string, lengthHeader = 'Content-Length'): string {
  return `OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK1\r\nCall-ID: x\r\n${lengthHeader}: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

describe('StreamFramer', () => {
  it('cuts two messages that arrive in one chunk', () => {
    const framer = new StreamFramer();
    const { messages, error } = framer.push(Buffer.from(message('first') + message('second body')));
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.toString())).toEqual([message('first'), message('second body')]);
  });

  it('waits for a message split across chunks, including inside the headers and the body', () => {
    const framer = new StreamFramer();
    const text = message('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n');
    const cuts = [10, 60, text.length - 5];
    const seen: string[] = [];
    let from = 0;
    for (const cut of [...cuts, text.length]) {
      seen.push(...framer.push(Buffer.from(text.slice(from, cut))).messages.map(String));
      if (cut < text.length) expect(seen).toEqual([]);
      from = cut;
    }
    expect(seen).toEqual([text]);
    expect(framer.pending).toBe(0);
  });

  it('accepts the compact form and any case of Content-Length', () => {
    const framer = new StreamFramer();
    const { messages } = framer.push(Buffer.from(message('abc', 'l') + message('de', 'CONTENT-length')));
    expect(messages.map(String)).toEqual([message('abc', 'l'), message('de', 'CONTENT-length')]);
  });

  it('counts the body in bytes, not characters', () => {
    const body = 'héllo ☎';
    const { messages } = new StreamFramer().push(Buffer.from(message(body) + message('')));
    expect(messages).toHaveLength(2);
    expect(messages[0]?.toString()).toBe(message(body));
  });

  it('ignores CRLF keep-alive pings between messages', () => {
    const { messages, error } = new StreamFramer().push(Buffer.from(`\r\n\r\n${message('a')}\r\n\r\n\r\n\r\n${message('b')}\r\n\r\n`));
    expect(error).toBeUndefined();
    expect(messages.map(String)).toEqual([message('a'), message('b')]);
  });

  it('reports a framing error when Content-Length is missing, and stays failed', () => {
    const framer = new StreamFramer();
    const result = framer.push(Buffer.from(`${message('a')}OPTIONS sip:a@b SIP/2.0\r\nCall-ID: y\r\n\r\n`));
    expect(result.messages.map(String)).toEqual([message('a')]);
    expect(result.error).toMatch(/missing Content-Length/);
    expect(framer.push(Buffer.from(message('b'))).error).toMatch(/missing Content-Length/);
  });

  it('rejects a malformed or contradictory Content-Length', () => {
    expect(new StreamFramer().push(Buffer.from('A sip:a SIP/2.0\r\nContent-Length: ten\r\n\r\n')).error).toMatch(/invalid Content-Length/);
    expect(new StreamFramer().push(Buffer.from('A sip:a SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab')).error).toMatch(/conflicting/);
  });

  it('fails when the buffered bytes exceed the limit, with or without complete headers', () => {
    expect(new StreamFramer(100).push(Buffer.from(`A sip:a SIP/2.0\r\nX: ${'y'.repeat(200)}`)).error).toMatch(/exceed/);
    expect(new StreamFramer(100).push(Buffer.from('A sip:a SIP/2.0\r\nContent-Length: 5000\r\n\r\n')).error).toMatch(/exceeds/);
  });
});
