import { describe, expect, it } from 'vitest';
import { faultWindows } from './faultSchedule.js';
import { Outcomes } from './Outcomes.js';

describe('Outcomes', () => {
  it('counts failures outside the faults that affect them as failures that should not have happened, with their reasons', () => {
    const start = 1_000_000;
    const outcomes = new Outcomes(faultWindows(120), start);
    outcomes.record('sipp-call', start + 11_000, start + 12_000, 50, 3, 'chunk during invite-drop');
    outcomes.record('sipp-call', start + 20_000, start + 30_000, 50, 1, 'SIPp: 1 failed');
    outcomes.record('rtp-call', start + 31_000, start + 34_000, 1, 1, '408 Request Timeout');
    outcomes.record('rtp-call', start + 40_000, start + 45_000, 1, 1, '408 Request Timeout');
    outcomes.record('api-listAgents', start + 31_000, start + 31_010, 1, 1, '503');
    const summary = outcomes.summary();
    expect(summary['sipp-call']).toEqual({ clean: { attempts: 50, failed: 1, reasons: ['SIPp: 1 failed'] }, duringFault: { attempts: 50, failed: 3 } });
    expect(summary['rtp-call'].clean).toEqual({ attempts: 2, failed: 2, reasons: ['408 Request Timeout'] });
    expect(summary['api-listAgents']).toEqual({ clean: { attempts: 0, failed: 0, reasons: [] }, duringFault: { attempts: 1, failed: 1 } });
    expect(summary.handoff.clean.attempts).toBe(0);
  });
});
