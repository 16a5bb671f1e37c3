import { afterEach, describe, expect, it, vi } from 'vitest';
import { IdentityHash } from '../message/IdentityHash.js';
import { ResponseAbsorbers } from './ResponseAbsorbers.js';

describe('ResponseAbsorbers', () => {
  afterEach(() => vi.useRealTimers());

  it('re-sends the kept bytes for each retransmission until Timer J ends, then forgets them, oldest first', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const sent: string[] = [];
    const absorbers = new ResponseAbsorbers<string>(async (data, to) => void sent.push(`${data.toString()} to ${to}`), () => undefined);
    // One per SIP stack: until it absorbs something it holds no bytes (5,000 connections, 5,000 stacks).
    expect(absorbers.bytes).toBe(0);
    absorbers.add('a', Buffer.from('401 for a'), 'alice', 32_000);
    expect(absorbers.bytes).toBe(4096);
    vi.advanceTimersByTime(10_000);
    absorbers.add('b', Buffer.from('200 for b'), 'bob', 32_000);
    expect(absorbers.absorb('a')).toBe(true);
    expect(absorbers.absorb('b')).toBe(true);
    expect(absorbers.absorb('c')).toBe(false);
    vi.advanceTimersByTime(22_001);
    expect(absorbers.absorb('a')).toBe(false);
    expect(absorbers.absorb('b')).toBe(true);
    expect(absorbers.size).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(absorbers.size).toBe(0);
    await Promise.resolve();
    expect(sent).toEqual(['401 for a to alice', '200 for b to bob', '200 for b to bob']);
  });

  it('reports a failed resend as a warning and keeps absorbing', async () => {
    const warnings: string[] = [];
    const absorbers = new ResponseAbsorbers<string>(() => Promise.reject(new Error('EHOSTUNREACH')), (m) => warnings.push(m));
    absorbers.add('a', Buffer.from('x'), 'alice', 32_000);
    expect(absorbers.absorb('a')).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual(['SIP transaction: could not resend a final response: EHOSTUNREACH']);
    absorbers.clear();
    expect(absorbers.absorb('a')).toBe(false);
  });

  it('keeps 100,000 absorbers through the ring growing, re-sends each one byte for byte, and frees their chunks as Timer J ends', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const resent: Array<{ data: string; to: string }> = [];
    const absorbers = new ResponseAbsorbers<{ address: string; port: number }>(async (data, to) => void resent.push({ data: data.toString(), to: `${to.address}:${to.port}` }), () => undefined, (to) => `${to.address}:${to.port}`);
    const response = (i: number) => `SIP/2.0 401 Unauthorized\r\nCSeq: ${i} REGISTER\r\n` + 'x'.repeat(i % 700);
    for (let i = 0; i < 100_000; i++) {
      absorbers.add(`z9hG4bK-${i}|127.0.0.1:5060|REGISTER`, Buffer.from(response(i)), { address: '127.0.0.1', port: 5000 + (i % 3) }, 32_000);
      if (i % 1000 === 999) vi.advanceTimersByTime(100);
    }
    expect(absorbers.size).toBe(100_000);
    for (const i of [0, 1, 4095, 65_536, 99_999]) expect(absorbers.absorb(`z9hG4bK-${i}|127.0.0.1:5060|REGISTER`)).toBe(true);
    await Promise.resolve();
    expect(resent).toEqual([0, 1, 4095, 65_536, 99_999].map((i) => ({ data: response(i), to: `127.0.0.1:${5000 + (i % 3)}` })));
    const held = absorbers.bytes;
    expect(held).toBeGreaterThan(30_000_000);
    // The first half's Timer J ends: their chunks go, the second half's bytes stay intact.
    vi.advanceTimersByTime(32_000 - 100 * 100 + 50 * 100);
    expect(absorbers.size).toBeLessThan(52_000);
    expect(absorbers.bytes).toBeLessThan(held * 0.6);
    expect(absorbers.absorb('z9hG4bK-0|127.0.0.1:5060|REGISTER')).toBe(false);
    expect(absorbers.absorb('z9hG4bK-99998|127.0.0.1:5060|REGISTER')).toBe(true);
    await Promise.resolve();
    expect(resent.at(-1)).toEqual({ data: response(99_998), to: '127.0.0.1:5002' });
    vi.advanceTimersByTime(32_000);
    expect(absorbers.size).toBe(0);
    expect(absorbers.bytes).toBeLessThanOrEqual(1 << 20);
  });

  it('tells apart live keys whose first hashes are equal, and forgets each with its own Timer J', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    // Keys are kept as two hashes: find two whose first hashes are equal (160,000 live keys hold about a dozen such pairs).
    const byFirst = new Map<number, string[]>();
    let colliding: string[] | undefined;
    for (let i = 0; colliding === undefined; i++) {
      const key = `z9hG4bK-${i}|127.0.0.1:5060|REGISTER`;
      const first = new IdentityHash().add(key).first;
      const keys = byFirst.get(first) ?? [];
      keys.push(key);
      byFirst.set(first, keys);
      if (keys.length === 2) colliding = keys;
    }
    const [a, b] = colliding;
    const sent: string[] = [];
    const absorbers = new ResponseAbsorbers<string>(async (data) => void sent.push(data.toString()), () => undefined);
    absorbers.add(a!, Buffer.from('200 for a'), 'phone', 32_000);
    vi.advanceTimersByTime(1_000);
    expect(absorbers.absorb(b!)).toBe(false);
    absorbers.add(b!, Buffer.from('200 for b'), 'phone', 32_000);
    expect([absorbers.absorb(a!), absorbers.absorb(b!)]).toEqual([true, true]);
    vi.advanceTimersByTime(31_500);
    expect([absorbers.absorb(a!), absorbers.absorb(b!)]).toEqual([false, true]);
    vi.advanceTimersByTime(1_000);
    expect([absorbers.absorb(a!), absorbers.absorb(b!), absorbers.size]).toEqual([false, false, 0]);
    await Promise.resolve();
    expect(sent).toEqual(['200 for a', '200 for b', '200 for b']);
  });

  it('answers a key added again with its newer response, and forgets it only when the newer one expires', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const sent: string[] = [];
    const absorbers = new ResponseAbsorbers<string>(async (data) => void sent.push(data.toString()), () => undefined);
    absorbers.add('k', Buffer.from('first'), 'alice', 32_000);
    vi.advanceTimersByTime(1_000);
    absorbers.add('k', Buffer.from('second'), 'alice', 32_000);
    // Both are held, each until its own Timer J; only the newer answers.
    expect(absorbers.size).toBe(2);
    vi.advanceTimersByTime(31_500);
    expect(absorbers.size).toBe(1);
    expect(absorbers.absorb('k')).toBe(true);
    vi.advanceTimersByTime(1_000);
    expect(absorbers.absorb('k')).toBe(false);
    await Promise.resolve();
    expect(sent).toEqual(['second']);
  });
});
