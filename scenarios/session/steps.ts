import type { CallCreate, FaultRuleCreate, PbxQuirks, SoftphoneCreate } from '../../emulator/generated/index.js';
import type { Duration } from './duration.js';
import type { Matcher } from './matchers.js';

/** What an API step expects of the response: each given part must hold. */
export interface ApiExpect {
  status?: number | number[];
  /** The body contains these fields with these values (a subset; arrays compare item by item). */
  body?: unknown;
  /** The body is exactly this. */
  bodyEquals?: unknown;
  /** JSONPath assertions: `{'$.status.sipStatus': 'online', '$.id': {regex: '^sipconn_'}}`. */
  json?: Record<string, Matcher>;
  headers?: Record<string, Matcher>;
}

export interface ApiStep {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Another X-Api-Key (another project), or null to send none. Default the scenario's. */
  key?: string | null;
  expect?: ApiExpect;
}

export type FaultStep = FaultRuleCreate;

export type ClockStep = { advance: Duration } | { toNextTimer: true };

export type AccountStep = { username: string; password: string; domain?: string; quirks?: PbxQuirks } | { delete: string };

export type SoftphoneStep = SoftphoneCreate;

export type CallStep = CallCreate;

/** A call as steps name it: its id (`call_…`), or the id of the step that placed it. */
export type CallRef = string;

export interface DtmfStep {
  call: CallRef;
  digits: string;
  method?: 'rfc4733' | 'info';
}

export interface SayStep {
  call: CallRef;
  text: string;
}

export interface ToneStep {
  call: CallRef;
  frequency: number;
  durationMs: number;
  amplitude?: number;
}

export interface HangupStep {
  call: CallRef;
}

/** A journal entry's fields, as a subset, plus `kind`: what a wait or an expectation looks for. */
export type JournalMatch = { kind: string } & Record<string, unknown>;

export type WaitStep = { within?: Duration } & (
  | { connection: string; status: string | { lifecycleStatus?: string; sipStatus?: string | null } }
  | { call: CallRef; state: 'ringing' | 'active' | 'transferring' | 'ended' }
  | { call: CallRef; agent: { said?: string; heard?: string } }
  | { journal: JournalMatch; count?: number }
);

export interface SipSequenceExpect {
  /** The party whose view is read: `pbx`, `agent`, a softphone's user name, or a journal party. */
  at: string;
  /** Labels in order: `REGISTER`, `"401"`, `401 REGISTER`, `INVITE`, `200 INVITE`, `ACK`… */
  sequence: Array<string | number>;
  /** Only this call's messages (its id, step id or SIP Call-ID). */
  call?: CallRef;
  /** The listener `agent` means, when there are several connections. */
  connection?: string;
  /** `inOrder` (default): the labels appear in this order, other messages between them allowed. `exact`: nothing else. `anyOrder`: each appears. */
  match?: 'inOrder' | 'exact' | 'anyOrder';
  /** Count 100 Trying and retransmissions too. Default false. */
  all?: boolean;
}

export interface SipMessageExpect {
  method?: string;
  status?: number;
  /** The party that sent it. */
  from?: string;
  /** The party that received it. */
  to?: string;
  call?: CallRef;
  connection?: string;
  headers?: Record<string, Matcher>;
  /** True: no such message. */
  absent?: boolean;
}

export type ExpectStep =
  | { sip: SipSequenceExpect | SipMessageExpect }
  | { errors: string; contains?: unknown; empty?: boolean }
  | { statuses: string; sequence: string[] }
  | { call: CallRef; is: unknown }
  | { journal: JournalMatch; count?: number | Record<string, number>; absent?: boolean };

/** What a softphone in the call heard. */
export interface AudioStep {
  call: CallRef;
  /** Whose ears: the caller's (default) or the callee's, when both are omnisip softphones. */
  side?: 'caller' | 'callee';
  heard?: AudioMatch;
  notHeard?: AudioMatch;
  within?: Duration;
}

export type AudioMatch = 'greeting' | 'response' | 'transferring' | 'transferFailed' | 'noAgents' | 'silence' | 'sound' | { tone: number };
