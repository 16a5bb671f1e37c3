/** What the soak's load generators are, for telling which faults can make them fail. */
export type Generator = 'sipp-register' | 'sipp-call' | 'rtp-call' | 'handoff' | 'api-listAgents' | 'api-other';

export const generators: readonly Generator[] = ['sipp-register', 'sipp-call', 'rtp-call', 'handoff', 'api-listAgents', 'api-other'];

/** The calls among them: the soak's "0 failed calls that should have succeeded" counts these. */
export const callGenerators: readonly Generator[] = ['sipp-call', 'rtp-call', 'handoff'];

export type FaultKind = 'invite-drop' | 'api-503' | 'register-503';

/** The faults the soak switches on and off in turn, each a fault rule (or a few) of the control API. */
export const faultKinds: readonly FaultKind[] = ['invite-drop', 'api-503', 'register-503'];

/** Which generators each fault can make fail: the others are expected to succeed through it. */
export const affected: Record<FaultKind, readonly Generator[]> = {
  // 20% of INVITEs reaching the PBX are dropped: every call's INVITE (SIPp's, the RTP callers', the softphones' and the REFER's).
  'invite-drop': ['sipp-call', 'rtp-call', 'handoff'],
  // GET /public/agents answers 503; the other API operations are not matched.
  'api-503': ['api-listAgents'],
  // REGISTERs of a few SIPp accounts answer 503.
  'register-503': ['sipp-register'],
};

export interface FaultWindow {
  kind: FaultKind;
  /** Seconds after the load started. */
  onAt: number;
  offAt: number;
}

/** Seconds after a window closes during which an attempt still counts as in it: retransmissions of a dropped INVITE, a 503 being answered. */
export const faultGraceSeconds = 2;

/**
 * The soak's fault windows: one per period, in the middle of it, a quarter of it long, the kinds in
 * turn. The period is a sixth of the run, between 20 s and 5 min: a 2-minute smoke run gets six
 * 5-second windows, a 30-minute soak six of 75 s, two of each kind.
 */
export function faultWindows(totalSeconds: number): FaultWindow[] {
  const period = Math.min(300, Math.max(20, Math.round(totalSeconds / 6)));
  const windows: FaultWindow[] = [];
  for (let k = 0; (k + 0.5) * period < totalSeconds; k++) {
    const onAt = (k + 0.5) * period;
    windows.push({ kind: faultKinds[k % faultKinds.length]!, onAt, offAt: Math.min(totalSeconds, onAt + period / 4) });
  }
  return windows;
}

/** Whether an attempt of `generator` from `start` to `end` (seconds after the load started) met a fault that can make it fail. */
export function metFault(windows: readonly FaultWindow[], generator: Generator, start: number, end: number): boolean {
  return windows.some((w) => affected[w.kind].includes(generator) && start <= w.offAt + faultGraceSeconds && end >= w.onAt);
}
