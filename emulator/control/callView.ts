import type { Call, CallSummary } from '../generated/index.js';
import type { CallRecord } from '../core/calls.js';

export function callSummary(record: CallRecord): CallSummary {
  return {
    id: record.id,
    callId: record.callId,
    connectionId: record.connectionId,
    from: record.from,
    to: record.to,
    state: record.state,
    startedAt: record.startedAt,
    answeredAt: record.answeredAt,
    endedAt: record.endedAt,
    endReason: record.endReason,
  };
}

export function callView(record: CallRecord): Call {
  return {
    ...callSummary(record),
    agentTurns: record.agentTurns.map((t) => ({ ...t })),
    rtp: record.rtp ? { ...record.rtp } : null,
    transfer: record.transfer ? { ...record.transfer } : null,
    timeline: record.timeline.map((t) => ({ ...t })),
  };
}
