import { afterEach, describe, expect, it, vi } from 'vitest';
import { ResponseAbsorbers } from './ResponseAbsorbers.js';

describe('ResponseAbsorbers', () => {
  afterEach(() => vi.useRealTimers());

  it('re-sends the kept bytes for each retransmission until Timer J ends, then forgets them, oldest first', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const sent: string[] = [];
    const absorbers = new ResponseAbsorbers<string>(async (data, to) => void sent.push(`${data.toString()} to ${to}`), () => undefined);
    absorbers.add('a', Buffer.from('401 for a'), 'alice', 32_000);
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
});
