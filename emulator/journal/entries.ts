import type { PbxQuirks, SipConnectionError, SipConnectionStatus } from '../generated/index.js';

/** What every journal entry carries: its place in the run, and when it happened on both clocks. */
export interface EntryStamp {
  /** 1, 2, 3…: the order things happened in, across every part of the emulator. */
  seq: number;
  /** The emulator clock (virtual or real), ms since the epoch. */
  at: number;
  /** Wall-clock ms since the epoch, with microseconds in the fraction. */
  wall: number;
}

/** A public or control API request and the response it got. Secrets are redacted before recording. */
export interface ApiEntry extends EntryStamp {
  kind: 'api';
  api: 'public' | 'control';
  method: string;
  path: string;
  /** The query string without its `?`, when there is one. */
  query?: string;
  operationId?: string;
  /** The X-Api-Key (the project) of a public request. */
  apiKey?: string;
  /** The SIP connection the path names, for filtering. */
  connectionId?: string;
  request: { contentType?: string; body?: unknown };
  /**
   * `bodyDropped`: the bytes of body the ring let go: at once for a successful GET (what it read is
   * what the resource says now), or once newer exchanges filled the body budget. The event stream
   * and the NDJSON file carry every body.
   */
  response: { status: number; headers: Record<string, string>; body?: unknown; bodyDropped?: number };
  durationMs: number;
  /** The seq of the last entry before the request arrived: entries after it and before this one may be its doing. */
  after: number;
}

/** Which SIP stack saw a message: the built-in PBX, a connection's listener, or a softphone. */
export type SipParty = { stack: 'pbx' } | { stack: 'listener'; connectionId: string } | { stack: 'softphone'; username: string };

/** One SIP message as one stack sent or received it: raw (digest responses redacted) and summarised. */
export interface SipEntry extends EntryStamp {
  kind: 'sip';
  /** `pbx`, `listener:<connectionId>` or `softphone:<username>`. */
  party: string;
  stack: SipParty['stack'];
  connectionId?: string;
  username?: string;
  direction: 'in' | 'out';
  transport: 'UDP' | 'TCP';
  /** Our address:port. */
  local: string;
  /** The peer's address:port. */
  remote: string;
  /** The SIP Call-ID header. */
  sipCallId?: string;
  /** A request's method. */
  method?: string;
  /** A response's status and reason phrase. */
  status?: number;
  reason?: string;
  /** e.g. `1 INVITE`. */
  cseq?: string;
  fromTag?: string;
  toTag?: string;
  /** The top Via's branch. */
  branch?: string;
  /** The same message (same Call-ID, CSeq, branch and method or status) already went this way at this party. */
  retransmission: boolean;
  /** The message's text with digest `response=` values redacted; unparseable bytes as text. */
  text: string;
  /** For messages that could not be parsed: why. */
  error?: string;
}

export interface ConnectionStatusEntry extends EntryStamp {
  kind: 'connection.status';
  connectionId: string;
  status: SipConnectionStatus;
  /** The lifecycle event that led here (`created`, `provisioned`, `registered`, …). */
  event: string;
  /** The state before, as `Running/registering`. */
  from?: string;
}

export interface ConnectionErrorEntry extends EntryStamp {
  kind: 'connection.error';
  connectionId: string;
  error: SipConnectionError;
}

export interface ConnectionDeletedEntry extends EntryStamp {
  kind: 'connection.deleted';
  connectionId: string;
}

/** A listener's registration: each attempt, and how it ended. */
export interface RegistrationEntry extends EntryStamp {
  kind: 'registration';
  connectionId: string;
  phase: 'started' | 'registered' | 'failed' | 'unregistered';
  /** Where it registers, e.g. `pbx.example.com:5060 over UDP`. */
  server: string;
  expires?: number;
  code?: number;
  message?: string;
}

/** A binding at the built-in PBX's registrar. */
export interface PbxBindingEntry extends EntryStamp {
  kind: 'pbx.binding';
  account: string;
  contact: string;
  transport: string;
  change: 'added' | 'refreshed' | 'removed';
  expiresAt?: number;
}

/** A PBX quirk changed what the built-in PBX did (control-openapi.yaml, PbxQuirks). */
export interface PbxQuirkEntry extends EntryStamp {
  kind: 'pbx.quirk';
  /** A key of PbxQuirks, e.g. `strictDigestUri`. */
  quirk: string;
  /** The account it acted for; null when none is known. */
  account: string | null;
  /** What the PBX did because of it, e.g. `REGISTER answered 405 Method Not Allowed`. */
  text: string;
  sipCallId?: string;
}

interface CallRef {
  /** The call's id in the control API (`call_…`). */
  callId: string;
  sipCallId: string;
  connectionId: string | null;
}

export interface CallStateEntry extends EntryStamp, CallRef {
  kind: 'call.state';
  from: string;
  to: string;
  state: 'ringing' | 'active' | 'transferring' | 'ended';
  reason: string | null;
}

/** What an agent or a softphone says happened on a call, as its timeline shows it. */
export interface CallNoteEntry extends EntryStamp, CallRef {
  kind: 'call.note';
  topic: 'sip' | 'agent' | 'caller' | 'media' | 'transfer' | 'error';
  text: string;
}

export interface AgentTurnEntry extends EntryStamp, CallRef {
  kind: 'agent.turn';
  /** What the agent heard the caller say (an utterance, a turn of speech). */
  heard?: string;
  /** The prompt the agent played, and why. */
  said?: string;
  why?: string;
}

export interface DtmfEntry extends EntryStamp, CallRef {
  kind: 'dtmf';
  digit: string;
  method: 'rfc4733' | 'info';
  /** Who heard it: `agent` or `softphone:<username>`. */
  heardBy: string;
}

export interface TransferEntry extends EntryStamp, CallRef {
  kind: 'transfer';
  phase: 'refer' | 'notify' | 'succeeded' | 'failed';
  target: string;
  status?: number;
  text: string;
}

export interface FaultFiredEntry extends EntryStamp {
  kind: 'fault.fired';
  faultId: string;
  target: string;
  action: string;
  /** What it hit: the operation, SIP method and account, or connection. */
  subject: Record<string, string>;
}

export interface ClockAdvancedEntry extends EntryStamp {
  kind: 'clock.advanced';
  byMs: number;
  now: number;
}

export interface ResetEntry extends EntryStamp {
  kind: 'emulator.reset';
}

/** The first entry of every run: what a replay needs to rebuild the same world. */
export interface StartedEntry extends EntryStamp {
  kind: 'emulator.started';
  version: string;
  /** Null when the run was not seeded (ids were cryptographically random). */
  seed: number | null;
  clock: 'real' | 'virtual';
  /** The clock's time when the run began. */
  clockStart: number;
  ports: { api: number; sip?: number };
  /** What the world was started with that changes its behaviour: what `omnisip replay` starts again with. */
  options?: StartedOptions;
}

/** The options of a world that a replay needs to behave the same (no password: PBX accounts given by configuration are named only). */
export interface StartedOptions {
  provisionDelayMs: number;
  restartDelayMs: number;
  agentLimit: number;
  sip: boolean;
  registerExpires: number;
  registerRetryMs: number;
  sipTimers: { T1?: number; T2?: number; T4?: number };
  maxConcurrentCalls: number;
  rtpTimeoutMs: number;
  digestAlgorithms: Array<'MD5' | 'SHA-256'>;
  /** Usernames of the PBX accounts given at start (their passwords are not journaled). */
  pbxAccounts: string[];
  /** The PBX-wide quirks it started with (absent in journals from before quirks). */
  pbxQuirks?: PbxQuirks;
}

/** The world began to close: what follows is its shutdown (unREGISTERs, BYEs, removed bindings). */
export interface ClosingEntry extends EntryStamp {
  kind: 'emulator.closing';
}

export type JournalEntry =
  | ClosingEntry
  | ApiEntry
  | SipEntry
  | ConnectionStatusEntry
  | ConnectionErrorEntry
  | ConnectionDeletedEntry
  | RegistrationEntry
  | PbxBindingEntry
  | PbxQuirkEntry
  | CallStateEntry
  | CallNoteEntry
  | AgentTurnEntry
  | DtmfEntry
  | TransferEntry
  | FaultFiredEntry
  | ClockAdvancedEntry
  | ResetEntry
  | StartedEntry;

export type JournalKind = JournalEntry['kind'];

/** Every kind, for validating filters. */
export const journalKinds: readonly JournalKind[] = [
  'api', 'sip', 'connection.status', 'connection.error', 'connection.deleted', 'registration', 'pbx.binding', 'pbx.quirk',
  'call.state', 'call.note', 'agent.turn', 'dtmf', 'transfer', 'fault.fired', 'clock.advanced', 'emulator.reset', 'emulator.started', 'emulator.closing',
];

/** An entry before the journal stamps it. */
export type EntryInit = JournalEntry extends infer E ? (E extends JournalEntry ? Omit<E, keyof EntryStamp> : never) : never;
