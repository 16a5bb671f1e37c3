import { CaptureBuffer, CaptureChunks, captureChunkBytes, type CaptureSpill } from './CaptureBuffer.js';
import type { Ids } from './ids.js';

export type CallState = 'ringing' | 'active' | 'transferring' | 'ended';

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

export interface AgentTurn {
  /** Wall-clock ms (calls run in real time). */
  at: number;
  heard?: string;
  said?: string;
}

/**
 * What the control API shows of a call: every call the emulator sees, a listener's or a softphone's.
 * Its timeline and its SIP messages are not kept here: they are entries of the journal, read by
 * the call's id or SIP Call-ID.
 */
export interface CallRecord {
  id: string;
  /** The SIP Call-ID: a call between an emulator softphone and a listener is one record, seen from both ends. */
  callId: string;
  /** The listener (SIP connection) that handled it, if one did. */
  connectionId: string | null;
  from: string;
  to: string;
  state: CallState;
  /** Wall-clock ms (calls run in real time, whatever the emulator clock does). */
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  endReason: string | null;
  agentTurns: AgentTurn[];
  rtp: RtpCounts | null;
  transfer: TransferOutcome | null;
  /** The codec the agent's listener agreed on, or null when no listener answered. */
  codec: string | null;
  /** For the call a transfer placed, the id of the call whose REFER led to it. */
  transferOf: string | null;
}

/** One packet as omnisip sent or received it, ready for a pcap: RTP from the capture, SIP from the journal. */
export interface CapturedPacket {
  /** Wall-clock ms, with microseconds in the fraction. */
  at: number;
  protocol: 'UDP' | 'TCP';
  source: { address: string; port: number };
  destination: { address: string; port: number };
  payload: Uint8Array;
}

/** What a media session reports of each RTP packet it sends or receives. */
export interface RtpPacketSeen {
  readonly direction: 'in' | 'out';
  readonly data: Uint8Array;
  readonly local: { readonly address: string; readonly port: number };
  readonly remote: { readonly address: string; readonly port: number };
}

/** A call keeps at most this many captured RTP packets (about three minutes of two-way audio). */
export const captureLimit = 20_000;

/** Ended calls whose packets are kept for their pcap; older ones keep their record only. */
export const capturedEndedCalls = 50;
/** Ended calls whose records are kept; older ones are forgotten, so a long run's registry stays bounded. */
export const retainedEndedCalls = 1000;

/** The RTP of one call, and the endpoints of ours that sent it. */
interface CallCapture {
  buffer: CaptureBuffer;
  /** Ports by address of the call's endpoints that omnisip sends from (see `captureRtp`). */
  senders: Map<string, Set<number>>;
  /** The last local endpoint recorded in `senders`: a session sends from the same object every time. */
  lastSender: RtpPacketSeen['local'] | undefined;
  /** The last remote endpoint a packet came in from (one object while the peer stays put), and whether it is one of `senders`. */
  lastPeer: RtpPacketSeen['remote'] | undefined;
  lastPeerSends: boolean;
}

/** Every call the emulator has seen since start or reset. Pure data; listeners and softphones fill it in. */
export class Calls {
  private readonly byId = new Map<string, CallRecord>();
  private readonly byCallId = new Map<string, CallRecord>();
  private readonly captures = new Map<string, CallCapture>();
  /** The memory every capture draws from and gives back to (see CaptureChunks). */
  private readonly captureChunks: CaptureChunks;
  private readonly watchers = new Set<(record: CallRecord, reason: string | null) => void>();
  /** Call-IDs of ended calls that still hold packets, oldest first. */
  private readonly endedCaptures: string[] = [];
  /** Ended records, oldest first, from `endedHead` on (a queue without shifting). */
  private endedRecords: CallRecord[] = [];
  private endedHead = 0;

  /** `captureSpill`: where full capture chunks leave memory (emulator/store's CaptureSpillFile); without it they stay. */
  constructor(
    private readonly ids: Ids,
    options: { captureSpill?: CaptureSpill } = {},
  ) {
    this.captureChunks = new CaptureChunks(options.captureSpill);
  }

  /** Called when a call opens and after each state change, with why (the journal records `call.state`). */
  onStateChange(watcher: (record: CallRecord, reason: string | null) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Moves a call to a new state; `ended` is final. */
  setState(record: CallRecord, state: CallState, at: number, reason?: string): void {
    if (record.state === state || record.state === 'ended') return;
    record.state = state;
    if (state === 'active' && record.answeredAt === null) record.answeredAt = at;
    if (state === 'ended') {
      record.endedAt = at;
      record.endReason = reason ?? null;
      this.retireCapture(record.callId);
      this.retireRecord(record);
    }
    for (const watcher of this.watchers) watcher(record, reason ?? null);
  }

  /** The record of this SIP Call-ID, created on first sight. */
  open(init: { callId: string; from: string; to: string; connectionId?: string | null; at: number }): CallRecord {
    const existing = this.byCallId.get(init.callId);
    if (existing) {
      if (init.connectionId && !existing.connectionId) existing.connectionId = init.connectionId;
      return existing;
    }
    const record: CallRecord = {
      id: this.ids.next('call'),
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
      codec: null,
      transferOf: null,
    };
    this.byId.set(record.id, record);
    this.byCallId.set(record.callId, record);
    for (const watcher of this.watchers) watcher(record, null);
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

  /**
   * Keeps an RTP packet of the call with this SIP Call-ID, seen by one of omnisip's media sessions.
   * When both ends are omnisip's (a softphone calling an agent), each packet is seen twice: sent by
   * one session and received by the other. Only the sending is kept, so a pcap holds each packet
   * once: a packet received from an endpoint that sent in this call is the same packet again.
   */
  captureRtp(callId: string, packet: RtpPacketSeen, at: number): void {
    this.captureRtpPacket(callId, packet.direction, packet.data, packet.local, packet.remote, at);
  }

  /** `captureRtp` without the packet object: an agent's RTP, 100 packets a second per call. */
  captureRtpPacket(callId: string, direction: RtpPacketSeen['direction'], data: Uint8Array, local: RtpPacketSeen['local'], remote: RtpPacketSeen['remote'], at: number): void {
    let capture = this.captures.get(callId);
    if (!capture) {
      capture = { buffer: new CaptureBuffer(captureLimit, this.captureChunks), senders: new Map(), lastSender: undefined, lastPeer: undefined, lastPeerSends: false };
      this.captures.set(callId, capture);
    }
    if (direction === 'out') {
      if (local !== capture.lastSender) {
        let ports = capture.senders.get(local.address);
        if (!ports) capture.senders.set(local.address, (ports = new Set()));
        ports.add(local.port);
        capture.lastSender = local;
        capture.lastPeer = undefined;
      }
      capture.buffer.add(at, 'UDP', local, remote, data);
      return;
    }
    if (remote !== capture.lastPeer) {
      capture.lastPeer = remote;
      capture.lastPeerSends = capture.senders.get(remote.address)?.has(remote.port) ?? false;
    }
    if (!capture.lastPeerSends) capture.buffer.add(at, 'UDP', remote, local, data);
  }

  /** The RTP packets kept for this SIP Call-ID, in the order they were seen. */
  capturedRtp(callId: string): CapturedPacket[] {
    return this.captures.get(callId)?.buffer.packets() ?? [];
  }

  /** What the registry holds now (read-only, for diagnostics): call records (live and the latest ended), captures and their memory. */
  usage(): { records: number; captures: number; captureChunksInUse: number; captureBytesAllocated: number } {
    return { records: this.byId.size, captures: this.captures.size, captureChunksInUse: this.captureChunks.inUse, captureBytesAllocated: this.captureChunks.allocated * captureChunkBytes };
  }

  /** Memory stays bounded in a long run: only the latest `retainedEndedCalls` ended calls keep their records. */
  private retireRecord(record: CallRecord): void {
    this.endedRecords.push(record);
    while (this.endedRecords.length - this.endedHead > retainedEndedCalls) {
      const old = this.endedRecords[this.endedHead++]!;
      this.byId.delete(old.id);
      if (this.byCallId.get(old.callId) === old) this.byCallId.delete(old.callId);
    }
    if (this.endedHead > retainedEndedCalls) {
      this.endedRecords = this.endedRecords.slice(this.endedHead);
      this.endedHead = 0;
    }
  }

  /** Memory stays bounded in a long run: only the latest ended calls keep their packets. */
  private retireCapture(callId: string): void {
    // Its last packets leave memory too (CaptureChunks): an ended call's capture is read rarely.
    this.captures.get(callId)?.buffer.seal();
    this.endedCaptures.push(callId);
    while (this.endedCaptures.length > capturedEndedCalls) this.dropCapture(this.endedCaptures.shift()!);
  }

  private dropCapture(callId: string): void {
    this.captures.get(callId)?.buffer.release();
    this.captures.delete(callId);
  }

  clear(): void {
    this.byId.clear();
    this.byCallId.clear();
    for (const callId of [...this.captures.keys()]) this.dropCapture(callId);
    this.endedCaptures.length = 0;
    this.endedRecords = [];
    this.endedHead = 0;
  }
}
