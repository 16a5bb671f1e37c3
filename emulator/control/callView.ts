import type { Call, CallSummary } from '../generated/index.js';
import type { CallRecord } from '../core/calls.js';
import type { TimelineItem } from '../journal/index.js';

export function callSummary(record: CallRecord): CallSummary {
  return {
    id: record.id,
    callId: record.callId,
    connectionId: record.connectionId,
    from: record.from,
    to: record.to,
    state: record.state,
    startedAt: Math.floor(record.startedAt),
    answeredAt: record.answeredAt === null ? null : Math.floor(record.answeredAt),
    endedAt: record.endedAt === null ? null : Math.floor(record.endedAt),
    endReason: record.endReason,
    codec: record.codec,
    transferOf: record.transferOf,
    rtp: record.rtp ? { ...record.rtp } : null,
    transfer: record.transfer ? { ...record.transfer } : null,
  };
}

/** The whole call as the control API shows it; its timeline is a view of the journal. */
export function callView(record: CallRecord, timeline: TimelineItem[]): Call {
  return {
    ...callSummary(record),
    agentTurns: record.agentTurns.map((t) => ({ ...t, at: Math.floor(t.at) })),
    timeline,
  };
}
