import type {
  Call,
  CallCreate,
  CallDtmf,
  CallSummary,
  CallTone,
  CallUtterance,
  Clock as ClockView,
  ClockAdvance,
  Diagnostics,
  FaultRule,
  FaultRuleCreate,
  Health,
  OutboundCall,
  PbxAccount,
  PbxAccountPut,
  PbxQuirks,
  Project,
  ProjectSip,
  ProjectSipPut,
  QuotaRequest,
  QuotaReview,
  ScenarioRun,
  SipConnectionStatus,
  SipTraceEntry,
  Softphone,
  SoftphoneCreate,
} from '../generated/index.js';
import type { CallRecord, Calls } from '../core/calls.js';
import { VirtualClock, type Clock } from '../core/clock.js';
import type { FaultRules } from '../core/FaultRules.js';
import type { Ids } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { Projects } from '../core/projects.js';
import { statusOf } from '../core/sipConnections.js';
import { callTimeline, sipPackets, writePcap, type Journal, type JournalEntry } from '../journal/index.js';
import { journalEvents, journalFilter, type JournalEventStream, type JournalQuery } from './journalQueries.js';
import type { AgentCallHandle } from '../listener/calls/AgentCall.js';
import type { ListenerManager } from '../listener/ListenerManager.js';
import type { Pbx } from '../pbx/index.js';
import { callSummary, callView } from './callView.js';
import { EventLoopDelayWindow, readDiagnostics } from './diagnostics.js';
import { ControlError } from './ControlError.js';
import { controlErrors } from './errors.js';
import { placeOutboundCall } from './outboundCall.js';
import { putPbxAccount, putPbxQuirks } from './pbxQuirks.js';
import { projectSip, putProjectSip, reviewQuotaRequest } from './projectSip.js';
import { projectView } from './projectView.js';
import type { SoftphoneFleet } from './SoftphoneFleet.js';
import { exportState, importState, type StateImportReport, type StateSnapshot } from './stateTransfer.js';

/** The SIP side of a world: absent in an API-only emulator (`--no-sip`), never half there. */
export interface SipSide {
  pbx: Pbx;
  softphones: SoftphoneFleet;
}

export interface EmulatorControlParts {
  version: string;
  apiProfile: Health['apiProfile'];
  seed: number | null;
  ports: { api: number; sip?: number };
  clock: Clock;
  journal: Journal;
  projects: Projects;
  faults: FaultRules;
  calls: Calls;
  /** The calls an agent is on right now, by call id (listeners attach them). */
  agentCalls: ReadonlyMap<string, AgentCallHandle>;
  listeners: ListenerManager;
  /** Simultaneous SIP calls per project, inbound and outbound. */
  maxConcurrentCalls: number;
  sip: SipSide | undefined;
  ids: Ids;
  logger: Logger;
}

export type { JournalQuery } from './journalQueries.js';

/**
 * The control plane: every operation of `control-openapi.yaml`, in-process, under its
 * `operationId`. The HTTP routes under `/_emulator` and `startEmulator().control` are two faces of
 * it. Expected failures throw a `ControlError` carrying the API's error envelope (404, 409, 503).
 *
 * @example
 * const { control } = await startEmulator({ apiPort: 0, sipPort: 0, clock: 'virtual', seed: 1 });
 * control.putPbxAccount('200', { password: 'human' });
 * control.createFault({ match: { target: 'sip', method: 'REGISTER' }, action: { type: 'respond', status: 503 }, times: 1 });
 * control.advanceClock({ ms: 3_600_000 });
 * const entries = control.getJournal({ kind: ['sip'] }).items;
 */
export class EmulatorControl {
  readonly clock: Clock;
  readonly journal: Journal;

  /** Scenario runs reported by a runner with --base-url: the last 100, kept across resets. */
  private readonly scenarioRuns = new Map<string, ScenarioRun>();
  private readonly loopDelay = new EventLoopDelayWindow();

  constructor(private readonly parts: EmulatorControlParts) {
    this.clock = parts.clock;
    this.journal = parts.journal;
  }

  getHealth(): Health {
    const { version, apiProfile, ports, clock, seed } = this.parts;
    return { status: 'ok', version, apiProfile, ports: { ...ports }, clock: { mode: clock.mode, now: clock.now() }, seed };
  }

  /** The process's memory, event-loop delay since the previous read, open handles, and every growing store's size (see diagnostics.ts). */
  getDiagnostics(): Diagnostics {
    return readDiagnostics(this.parts, this.loopDelay);
  }

  /** Forgets every project, fault rule, call and softphone, and PBX change; a virtual clock returns to its start. */
  async reset(): Promise<void> {
    const { sip, listeners, projects, faults, calls, clock, journal } = this.parts;
    await sip?.softphones.stopAll();
    await listeners.stopAll();
    projects.clear();
    faults.clear();
    calls.clear();
    sip?.pbx.reset();
    if (clock instanceof VirtualClock) clock.reset();
    journal.record({ kind: 'emulator.reset' });
  }

  /** Every project (API key) seen, with its agents, channel configs and SIP connections; never a password. */
  listProjects(): { items: Project[]; lastSeq: number } {
    return { items: this.parts.projects.all().map(projectView), lastSeq: this.parts.journal.lastSeq };
  }

  getProjectSip(apiKey: string): ProjectSip {
    return projectSip(this.parts.projects, apiKey);
  }

  putProjectSip(apiKey: string, body: ProjectSipPut): ProjectSip {
    return putProjectSip(this.parts.projects, apiKey, body);
  }

  reviewQuotaRequest(apiKey: string, id: string, body: QuotaReview): QuotaRequest {
    return reviewQuotaRequest(this.parts.projects, apiKey, id, body);
  }

  /** The public API's outbound call (not a control operation: `callFromSipConnection` is served here because it acts on a listener). */
  placeOutboundCall(apiKey: string, connectionId: string, body: OutboundCall): { status: 'dialing' } {
    return placeOutboundCall(this.parts, apiKey, connectionId, body);
  }

  /** The whole setup (projects, PBX account overrides, fault rules); passwords only with `includeSecrets`. See stateTransfer.ts. */
  getState(includeSecrets = false): StateSnapshot { return exportState(this.parts, includeSecrets); }

  /** Replaces the whole setup; connections or accounts that arrive without a password are named in `warnings`. */
  putState(body: unknown): StateImportReport { return importState(this.parts, body); }

  getClock(): ClockView {
    const { clock } = this.parts;
    const pending = clock.pendingTimers();
    return { mode: clock.mode, now: clock.now(), pendingTimers: pending.count, nextTimerAt: pending.nextAt };
  }

  /** Moves a virtual clock by `ms`, or to its next timer; every emulator timer due on the way fires, in order. */
  advanceClock(body: ClockAdvance): ClockView {
    const { clock, journal } = this.parts;
    if (!(clock instanceof VirtualClock)) throw new ControlError(controlErrors.clockNotVirtual());
    const before = clock.now();
    if ('toNextTimer' in body) clock.advanceToNextTimer();
    else clock.advance(body.ms);
    journal.record({ kind: 'clock.advanced', byMs: clock.now() - before, now: clock.now() });
    return this.getClock();
  }

  listScenarioRuns(): { items: ScenarioRun[] } {
    return { items: [...this.scenarioRuns.values()] };
  }

  reportScenarioRun(run: ScenarioRun): ScenarioRun {
    this.scenarioRuns.delete(run.id);
    this.scenarioRuns.set(run.id, run);
    if (this.scenarioRuns.size > 100) this.scenarioRuns.delete(this.scenarioRuns.keys().next().value!);
    return run;
  }

  createFault(body: FaultRuleCreate): FaultRule {
    return this.parts.faults.add(body);
  }

  listFaults(): { items: FaultRule[] } {
    return { items: this.parts.faults.list() };
  }

  deleteFaults(): void {
    this.parts.faults.clear();
  }

  deleteFault(faultId: string): void {
    if (!this.parts.faults.remove(faultId)) throw new ControlError(controlErrors.faultNotFound(faultId));
  }

  listPbxAccounts(): { items: PbxAccount[] } {
    return { items: this.sip().pbx.accounts.list() };
  }

  /** Creates or replaces an account (and its quirks); it overrides the credentials of connections with the same user name. */
  putPbxAccount(username: string, body: PbxAccountPut): PbxAccount {
    return putPbxAccount(this.sip().pbx, this.parts.logger, username, body);
  }

  getPbxQuirks(): PbxQuirks {
    return this.sip().pbx.quirks.get();
  }

  /** Replaces the PBX-wide quirks; an account's own win key by key. */
  putPbxQuirks(body: PbxQuirks): PbxQuirks {
    return putPbxQuirks(this.sip().pbx, this.parts.logger, body);
  }

  deletePbxAccount(username: string): void {
    if (!this.sip().pbx.accounts.delete(username)) throw new ControlError(controlErrors.pbxAccountNotFound(username));
  }

  /** The SIP messages of a connection's listener, oldest first: a view of the journal. */
  getSipTrace(connectionId: string): { items: SipTraceEntry[] } {
    this.sip();
    if (!this.parts.projects.findSipConnection(connectionId)) throw new ControlError(controlErrors.connectionNotFound(connectionId));
    const items = this.parts.journal.entries({ kinds: ['sip'], connectionId }).flatMap((entry) =>
      entry.kind === 'sip' ? [{ seq: entry.seq, at: Math.floor(entry.wall), direction: entry.direction, transport: entry.transport, local: entry.local, remote: entry.remote, message: entry.text }] : [],
    );
    return { items };
  }

  /**
   * The journal's entries from now on (after those matching `query.since`, if given, which are
   * sent first), as they happen: what `GET /_emulator/events` streams. End it with `return()`.
   */
  getEvents(query: Pick<JournalQuery, 'since' | 'kind'> = {}): JournalEventStream {
    return journalEvents(this.parts.journal, query);
  }

  /** Journal entries, oldest first; `lastSeq` is where a reader continues from (`since`). */
  getJournal(query: JournalQuery = {}): { items: JournalEntry[]; lastSeq: number; capacity: number } {
    const { journal } = this.parts;
    const filter = journalFilter(query);
    if (query.callId !== undefined) {
      const record = this.parts.calls.get(query.callId);
      filter.callIds = record ? [record.id, record.callId] : [query.callId];
    }
    return { items: journal.entries(filter), lastSeq: journal.lastSeq, capacity: journal.capacity };
  }

  async createSoftphone(body: SoftphoneCreate): Promise<Softphone> {
    return unwrap(await this.sip().softphones.create(body));
  }

  listSoftphones(): { items: Softphone[] } {
    return { items: this.sip().softphones.list() };
  }

  async deleteSoftphone(username: string): Promise<void> {
    unwrap(await this.sip().softphones.delete(username));
  }

  /** `from` (an emulator softphone, started unregistered if it does not run) calls `to` through the PBX. */
  async createCall(body: CallCreate): Promise<Call> {
    const record = unwrap(await this.sip().softphones.call(body.from, body.to, body.transport, body.codecs));
    return this.view(record);
  }

  /** Calls in progress and the latest 1,000 that ended (see Calls). Reading calls works without the SIP side: there are simply none. */
  listCalls(): { items: CallSummary[] } {
    return { items: this.parts.calls.list().map((record) => callSummary(this.refreshRtp(record))) };
  }

  getCall(callId: string): Call {
    return this.view(this.call(callId));
  }

  /** Keys from the caller's softphone (RFC 4733 or INFO); for a caller omnisip does not control, the agent hears them directly. */
  async sendCallDtmf(callId: string, body: CallDtmf): Promise<Call> {
    const record = this.live(callId);
    const digits = body.digits.toUpperCase();
    const leg = this.parts.sip?.softphones.leg(record.id);
    const agent = this.parts.agentCalls.get(record.id);
    // The agent may have answered a moment before our softphone has the 200: keys wait for it.
    if (leg) await leg.answered.then(() => leg.sendDtmf(digits, body.method ?? 'rfc4733'));
    else if (agent) agent.dtmf(digits);
    else throw new ControlError(controlErrors.callerNotEmulated(callId));
    return this.view(record);
  }

  /** What the caller says, as the agent's speech recognition would hear it. */
  async sendCallUtterance(callId: string, body: CallUtterance): Promise<Call> {
    const record = this.live(callId);
    // Right after createCall the agent may not have answered yet: like keys, words wait for the answer.
    const leg = this.parts.sip?.softphones.leg(record.id);
    if (record.state === 'ringing' && leg) await leg.answered;
    const agent = this.parts.agentCalls.get(record.id);
    if (!agent) throw new ControlError(controlErrors.noAgentOnCall(callId));
    agent.utterance(body.text);
    return this.view(record);
  }

  /** A tone from the caller's softphone, as real RTP audio. */
  playCallTone(callId: string, body: CallTone): Call {
    const record = this.live(callId);
    const leg = this.parts.sip?.softphones.leg(record.id);
    if (!leg) throw new ControlError(controlErrors.callerNotEmulated(callId));
    const amplitude = body.amplitude ?? 0.5;
    void leg.answered.then(() => {
      this.parts.journal.record({ kind: 'call.note', callId: record.id, sipCallId: record.callId, connectionId: record.connectionId, topic: 'caller', text: `plays a ${body.frequency} Hz tone for ${body.durationMs} ms` });
      return leg.playTone(body.frequency, body.durationMs, amplitude);
    });
    return this.view(record);
  }

  async hangupCall(callId: string): Promise<Call> {
    const record = this.live(callId);
    const leg = this.parts.sip?.softphones.leg(record.id);
    const agent = this.parts.agentCalls.get(record.id);
    if (leg) await leg.hangup();
    else if (agent) await agent.hangup();
    else throw new ControlError(controlErrors.callerNotEmulated(callId));
    return this.view(record);
  }

  /** What the emulator softphone on that side of the call heard, as WAV (default: the caller's side when it is ours). */
  getCallRecording(callId: string, side?: 'caller' | 'callee'): Buffer {
    const record = this.call(callId);
    const wav = this.parts.sip?.softphones.recordingWav(record.id, side);
    if (!wav) throw new ControlError(controlErrors.noRecording(callId));
    return wav;
  }

  /** The call's SIP messages (from the journal, redacted) and RTP packets, as a pcap file. */
  getCallPcap(callId: string): Buffer {
    const record = this.call(callId);
    const sip = sipPackets(this.parts.journal.entries({ kinds: ['sip'], callIds: [record.callId] }));
    return writePcap([...sip, ...this.parts.calls.capturedRtp(record.callId)]);
  }

  /** Resolves when the connection's status satisfies `predicate` (checked now, then on every change). */
  async waitForStatus(connectionId: string, predicate: (status: SipConnectionStatus) => boolean, timeoutMs = 10_000): Promise<SipConnectionStatus> {
    const record = this.parts.projects.findSipConnection(connectionId);
    if (!record) throw new ControlError(controlErrors.connectionNotFound(connectionId));
    const current = statusOf(record);
    if (predicate(current)) return current;
    const entry = await this.parts.journal.waitFor(
      (e) => e.kind === 'connection.status' && e.connectionId === connectionId && predicate(e.status),
      timeoutMs,
      `connection ${connectionId} to reach the expected status`,
    );
    return (entry as Extract<JournalEntry, { kind: 'connection.status' }>).status;
  }

  private sip(): SipSide {
    if (!this.parts.sip) throw new ControlError(controlErrors.sipDisabled());
    return this.parts.sip;
  }

  private call(callId: string): CallRecord {
    const record = this.parts.calls.get(callId);
    if (!record) throw new ControlError(controlErrors.callNotFound(callId));
    return record;
  }

  /** A call that has not ended, for acting on it. */
  private live(callId: string): CallRecord {
    const record = this.call(callId);
    if (record.state === 'ended') throw new ControlError(controlErrors.callEnded(callId));
    return record;
  }

  private view(record: CallRecord): Call {
    return callView(this.refreshRtp(record), callTimeline(this.parts.journal.entries({ callIds: [record.id, record.callId] })));
  }

  /** RTP counts of a call in progress: from the agent's session, or from our softphone's. */
  private refreshRtp(record: CallRecord): CallRecord {
    if (record.state === 'ended') return record;
    this.parts.agentCalls.get(record.id)?.refreshStats();
    if (!this.parts.agentCalls.has(record.id)) {
      const stats = this.parts.sip?.softphones.leg(record.id)?.rtpStats();
      if (stats) record.rtp = stats;
    }
    return record;
  }
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: import('../core/errors.js').ApiFailure }): T {
  if (!result.ok) throw new ControlError(result.error);
  return result.value;
}
