import { describe, expect, it } from 'vitest';
import { parseCSeq } from './CSeq.js';

describe('parseCSeq', () => {
  it('parses sequence number and method, with LWS', () => {
    expect(parseCSeq('314159 INVITE')).toEqual({ seq: 314159, method: 'INVITE' });
    expect(parseCSeq('  4294967295\tBYE ')).toEqual({ seq: 4294967295, method: 'BYE' });
    expect(parseCSeq('0 x-custom')).toEqual({ seq: 0, method: 'x-custom' });
  });

  it.each([['INVITE'], ['1'], ['-1 INVITE'], ['4294967296 INVITE'], ['1 INVITE extra'], ['1.5 BYE'], ['1 IN"VITE'], ['']])('rejects %j', (text) => {
    expect(parseCSeq(text)).toBeUndefined();
  });
});
