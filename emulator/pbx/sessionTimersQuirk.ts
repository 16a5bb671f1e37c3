import { MINIMUM_SESSION_INTERVAL, parseSessionExpires, type SipRequest } from '../../sip/index.js';

/** The `sessionTimers` quirk's settings: the interval the PBX wants and its Min-SE, seconds. */
export interface SessionTimersQuirk {
  interval: number;
  minSE?: number;
}

export type SessionIntervalVerdict =
  | { kind: 'pass' }
  | { kind: 'reject'; minSE: number; why: string }
  | { kind: 'lowered'; from: number; to: number };

/**
 * The `sessionTimers` quirk (RFC 4028 §8.1), as a proxy with a Min-SE does it, e.g. Asterisk with
 * `session-timers=originate`, `session-minse`, `session-expires`, or Kamailio's sst module: an
 * INVITE asking for a session interval below Min-SE gets `422 Session Interval Too Small` with
 * `Min-SE`; one asking for more than the PBX's interval has its Session-Expires lowered to it
 * (never below Min-SE). The caller then refreshes at half the interval (re-INVITE). Changes
 * `request` in place when it lowers.
 */
export function checkSessionInterval(request: SipRequest, quirk: SessionTimersQuirk): SessionIntervalVerdict {
  const asked = parseSessionExpires(request.headers.get('Session-Expires'));
  if (asked === undefined) return { kind: 'pass' };
  const minSE = Math.max(quirk.minSE ?? MINIMUM_SESSION_INTERVAL, MINIMUM_SESSION_INTERVAL);
  if (asked.seconds < minSE) return { kind: 'reject', minSE, why: `Session-Expires ${asked.seconds} s is below the PBX's Min-SE of ${minSE} s (quirk sessionTimers)` };
  const ceiling = Math.max(quirk.interval, minSE);
  if (asked.seconds <= ceiling) return { kind: 'pass' };
  request.headers.set('Session-Expires', `${ceiling}${asked.refresher ? `;refresher=${asked.refresher}` : ''}`);
  const peerMinSE = parseSessionExpires(request.headers.get('Min-SE'))?.seconds ?? 0;
  if (peerMinSE < minSE) request.headers.set('Min-SE', minSE);
  return { kind: 'lowered', from: asked.seconds, to: ceiling };
}
