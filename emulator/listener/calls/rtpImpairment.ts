import type { RtpImpairment } from '../../../media/index.js';
import type { RandomSource } from '../../../random/index.js';
import type { FaultAction, FaultRules } from '../../core/FaultRules.js';

function describeRtpFault(action: FaultAction): string {
  switch (action.type) {
    case 'loss':
      return `${action.percent}% packet loss`;
    case 'jitter':
      return `up to ${action.ms} ms of jitter`;
    case 'mute':
      return 'one-way audio (every packet lost)';
    case 'stop':
      return `RTP stops ${action.afterMs} ms after the answer`;
    default:
      return action.type;
  }
}

/**
 * The `rtp` fault rules that fire for a call, once, for its whole length, as the impairment of its
 * RTP session; undefined when none does. Each rule that applies is noted on the call.
 */
export function rtpImpairment(input: { faults: FaultRules; connectionId: string; random: RandomSource; callId: string; note: (text: string) => void }): RtpImpairment | undefined {
  const { faults, connectionId } = input;
  if (!faults.hasRulesFor('rtp')) return undefined;
  const toAgent = faults.check({ target: 'rtp', connectionId, direction: 'toAgent' });
  const fromAgent = faults.check({ target: 'rtp', connectionId, direction: 'fromAgent' });
  if (!toAgent && !fromAgent) return undefined;
  const random = input.random.fork(`rtp:${input.callId}`);
  const answered = performance.now();
  const dropper = (action: FaultAction): (() => boolean) | undefined => {
    if (action.type === 'mute') return () => true;
    if (action.type === 'loss') return () => random.float() * 100 < action.percent;
    if (action.type === 'stop') return () => performance.now() - answered >= action.afterMs;
    return undefined;
  };
  const impairment: RtpImpairment = {};
  if (toAgent) {
    const drop = dropper(toAgent.action);
    if (drop) impairment.dropIn = drop;
    input.note(`fault rule ${toAgent.rule.id}: ${describeRtpFault(toAgent.action)} on the caller's audio to the agent`);
  }
  if (fromAgent) {
    const drop = dropper(fromAgent.action);
    if (drop) impairment.dropOut = drop;
    const action = fromAgent.action;
    if (action.type === 'jitter') impairment.delayOutMs = () => random.float() * action.ms;
    input.note(`fault rule ${fromAgent.rule.id}: ${describeRtpFault(action)} on the agent's audio to the caller`);
  }
  return impairment;
}

/** What an outbound call's failure status means, for the error log. */
export function outboundFailure(status: number): string {
  if (status === 486 || status === 600) return 'busy';
  if (status === 408 || status === 480 || status === 487) return 'no answer';
  if (status === 603 || status === 403) return 'rejected';
  if (status === 404 || status === 484) return 'no such destination';
  if (status === 407 || status === 401) return 'the server refused our credentials';
  return 'failed';
}

/**
 * The PBX's `rtpStopsAfterMs` quirk on top of a call's fault impairment: the caller's packets stop
 * reaching the agent `stopsAfterMs` after the answer. The built-in PBX only signals, so a
 * media-anchoring PBX whose relay stops forwarding is emulated where its effect lands, the agent's
 * RTP socket. A fault rule on the caller's audio wins.
 */
export function withPbxRtpStop(impairment: RtpImpairment | undefined, stopsAfterMs: number | undefined, note: (text: string) => void): RtpImpairment | undefined {
  if (stopsAfterMs === undefined || impairment?.dropIn !== undefined) return impairment;
  const answered = performance.now();
  note(`PBX quirk rtpStopsAfterMs: the PBX's media relay stops passing the caller's RTP ${stopsAfterMs} ms after the answer`);
  return { ...impairment, dropIn: () => performance.now() - answered >= stopsAfterMs };
}
