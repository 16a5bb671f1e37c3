import { CaptureBuffer, CaptureChunks } from './CaptureBuffer.js';
import { newId } from './ids.js';

export type CallState = 'ringing' | 'active' | 'transferring' | 'ended';

export type TimelineKind = 'sip' | 'state' | 'agent' | 'caller' | 'media' | 'transfer' | 'error';

export interface TimelineEntry {
  /** Milliseconds since the epoch (real time: calls run in real time). */
  at: number;
  kind: TimelineKind;
  text: string;
}

export interface TransferOutcome {
  target: string;
  /** Final SIP status of the transfer (from the REFER, or the NOTIFY sipfrag), null while pending. */
  status: number | null;
  outcome: 'pending' | 'succeeded' | 'failed';
}

export interface RtpCounts {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  jitterMs: number;
}

/** What the control API shows of a call: every call the emulator sees, a listener's or a softphone's. */
export interface CallRecord {
  id: string;
  /** The SIP Call-ID: a call between an emulator softphone and a listener is one record, seen from both ends. */
  callId: string;
  /** The listener (SIP connection) that handled it, if one did. */
  connectionId: string | null;
  from: string;
  to: string;
  state: CallState;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  endReason: string | null;
  agentTurns: Array<{ at: number; heard?: string; said?: string }>;
  rtp: RtpCounts | null;
  transfer: TransferOutcome | null;
  timeline: TimelineEntry[];
}

/** One packet of a call as omnisip sent or received it (SIP message or RTP), for pcap export. */
export interface CapturedPacket {
  /** Milliseconds since the epoch (real time). */
  at: number;
  protocol: 'UDP' | 'TCP';
  source: { address: string; port: number };
  destination: { address: string; port: number };
  payload: Uint8Array;
}

/** A call keeps at most this many captured packets (about three minutes of two-way audio). */
export const captureLimit = 20_000;

/** Ended calls whose packets are kept for their pcap; older ones keep their record and timeline only. */
export const capturedEndedCalls = 50;

/** A call keeps at most this many timeline entries (SIP retransmissions of a long call add up). */
export const timelineLimit = 2000;

/** Every call the emulator has seen since start or reset. Pure data; listeners and softphones fill it in. */
export class Calls {
  private readonly byId = new Map<string, CallRecord>();
  private readonly byCallId = new Map<string, CallRecord>();
  private readonly captures = new Map<string, CaptureBuffer>();
  /** The memory every capture draws from and gives back to (see CaptureChunks). */
  private readonly captureChunks = new CaptureChunks();
  private readonly watchers = new Set<(record: CallRecord) => void>();
  /** Call-IDs of ended calls that still hold packets, oldest first. */
  private readonly endedCaptures: string[] = [];

  /** Called after each state change of any call (the emulator publishes `call.state` events). */
  onStateChange(watcher: (record: CallRecord) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Moves a call to a new state, recording it in the timeline; `ended` is final. */
  setState(record: CallRecord, state: CallState, at: number, reason?: string): void {
    if (!setCallState(record, state, at, reason)) return;
    if (state === 'ended') this.retireCapture(record.callId);
    for (const watcher of this.watchers) watcher(record);
  }

  /** The record of this SIP Call-ID, created on first sight. */
  open(init: { callId: string; from: string; to: string; connectionId?: string | null; at: number }): CallRecord {
    const existing = this.byCallId.get(init.callId);
    if (existing) {
      if (init.connectionId && !existing.connectionId) existing.connectionId = init.connectionId;
      return existing;
    }
    const record: CallRecord = {
      id: newId('call'),
      callId: init.callId,
      connectionId: init.connectionId ?? null,
      from: init.from,
      to: init.to,
      state: 'ringing',
      startedAt: init.at,
      answeredAt: null,
      endedAt: null,
      endReason: null,
      agentTurns: [],
      rtp: null,
      transfer: null,
      timeline: [],
    };
    this.byId.set(record.id, record);
    this.byCallId.set(record.callId, record);
    for (const watcher of this.watchers) watcher(record);
    return record;
  }

  get(id: string): CallRecord | undefined {
    return this.byId.get(id);
  }

  findByCallId(callId: string): CallRecord | undefined {
    return this.byCallId.get(callId);
  }

  list(): CallRecord[] {
    return [...this.byId.values()];
  }

  /** Keeps a packet of the call with this SIP Call-ID (kept even before the record opens: the INVITE comes first). */
  capture(callId: string, packet: CapturedPacket): void {
    let buffer = this.captures.get(callId);
    if (!buffer) {
      buffer = new CaptureBuffer(captureLimit, this.captureChunks);
      this.captures.set(callId, buffer);
    }
    buffer.push(packet);
  }

  captured(callId: string): CapturedPacket[] {
    return this.captures.get(callId)?.packets() ?? [];
  }

  /** Memory stays bounded in a long run: only the latest ended calls keep their packets. */
  private retireCapture(callId: string): void {
    this.endedCaptures.push(callId);
    while (this.endedCaptures.length > capturedEndedCalls) this.dropCapture(this.endedCaptures.shift()!);
  }

  private dropCapture(callId: string): void {
    this.captures.get(callId)?.release();
    this.captures.delete(callId);
  }

  clear(): void {
    this.byId.clear();
    this.byCallId.clear();
    for (const callId of [...this.captures.keys()]) this.dropCapture(callId);
    this.endedCaptures.length = 0;
  }
}

export function addTimeline(record: CallRecord, kind: TimelineKind, text: string, at: number): void {
  record.timeline.push({ at, kind, text });
  if (record.timeline.length > timelineLimit) record.timeline.splice(0, record.timeline.length - timelineLimit);
}

/** Moves a call to a new state, recording it; `ended` is final. Returns false when nothing changed. Use `Calls.setState`. */
function setCallState(record: CallRecord, state: CallState, at: number, reason?: string): boolean {
  if (record.state === state || record.state === 'ended') return false;
  record.state = state;
  if (state === 'active' && record.answeredAt === null) record.answeredAt = at;
  if (state === 'ended') {
    record.endedAt = at;
    record.endReason = reason ?? null;
  }
  addTimeline(record, 'state', reason ? `${state} (${reason})` : state, at);
  return true;
}
