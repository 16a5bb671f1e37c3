import { describe, expect, it } from 'vitest';
import { sippDurationSeconds } from './sippTiming.js';

const screen = (start: string, current: string) => `------------------------------ Test Terminated --------------------------------
----------------------------- Statistics Screen ------- [1-9]: Change Screen --
  Start Time             | 2026-11-24\t20:25:53.193448\t${start}         
  Last Reset Time        | 2026-11-24\t20:25:57.327225\t1795551957.327225         
  Current Time           | 2026-11-24\t20:25:57.331884\t${current}         
-------------------------+---------------------------+--------------------------
  Elapsed Time           | 00:00:00:004000           | 00:00:00:004000          
`;

describe('sippDurationSeconds', () => {
  it('is the time from Start Time to Current Time of the last statistics screen, not SIPp’s Elapsed Time row', () => {
    expect(sippDurationSeconds(screen('1795551953.193448', '1795551957.331884'))).toBeCloseTo(4.138436, 6);
  });

  it('reads the last screen when SIPp printed several', () => {
    const output = `${screen('100.000000', '101.000000')}\n${screen('100.000000', '115.500000')}`;
    expect(sippDurationSeconds(output)).toBeCloseTo(15.5, 6);
  });

  it('is undefined without a statistics screen (SIPp did not run)', () => {
    expect(sippDurationSeconds('sipp: There is no specified scenario\n')).toBeUndefined();
  });
});
