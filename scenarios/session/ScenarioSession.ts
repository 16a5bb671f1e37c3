import type { Call, FaultRule, PbxAccount, SipConnectionError, Softphone } from '../../emulator/generated/index.js';
import type { JournalEntry } from '../../emulator/index.js';
import { readWav } from '../../media/index.js';
import { audioMatches, describeMatch, describeRecording } from './audio.js';
import { parseDuration } from './duration.js';
import type { ClientResponse, EmulatorClient } from './EmulatorClient.js';
import { expectSipMessage, expectSipSequence } from './expectSip.js';
import { JournalMirror, WaitTimeout } from './JournalMirror.js';
import { renderLadder } from './ladder.js';
import { deepEqual, headerMismatches, lineDiff, mismatch, mismatchDiff, pathMismatches, pretty, show, subsetMismatches } from './matchers.js';
import { ScenarioFailure } from './ScenarioFailure.js';
import type {
  AccountStep,
  ApiStep,
  AudioStep,
  CallRef,
  CallStep,
  ClockStep,
  DtmfStep,
  ExpectStep,
  FaultStep,
  HangupStep,
  JournalMatch,
  SayStep,
  SoftphoneStep,
  ToneStep,
  WaitStep,
} from './steps.js';

/** A wait without `within`: long enough for a registration, short enough to fail a stuck test. */
const DEFAULT_WITHIN_MS = 30_000;

/**
 * The steps of a scenario as typed functions, each one public-API or control-plane call (or a
 * read of the journal). The YAML runner drives the same methods, so a scenario file and a
 * TypeScript script behave alike. A step whose expectation fails throws a ScenarioFailure.
 *
 * @example
 * await s.api({ method: 'POST', path: '/public/agents', body, expect: { status: 200 } });
 * await s.wait({ connection: id, status: 'Running/online', within: '30s' });
 */
export class ScenarioSession {
  readonly journal: JournalMirror;
  /** The calls steps placed, by the id of the step that placed them, so later steps can say `call: c`. */
  private readonly callsByStep = new Map<string, string>();

  constructor(
    readonly client: EmulatorClient,
    since = 0,
  ) {
    this.journal = new JournalMirror(client, since);
  }

  /** A public API request, checked against `expect`. */
  async api(step: ApiStep): Promise<ClientResponse> {
    const res = await this.client.request(step.method.toUpperCase(), step.path, {
      ...(step.body !== undefined && { body: step.body }),
      ...(step.headers && { headers: step.headers }),
      ...(step.key !== undefined && { key: step.key }),
    });
    const expect = step.expect;
    if (!expect) return res;
    const what = `${step.method.toUpperCase()} ${step.path}`;
    if (expect.status !== undefined) {
      const wanted = Array.isArray(expect.status) ? expect.status : [expect.status];
      if (!wanted.includes(res.status)) {
        const expected = { status: wanted.length === 1 ? wanted[0] : wanted, ...(expect.body !== undefined && { body: expect.body }) };
        throw expectationFailure(`${what} answered ${res.status}, expected ${wanted.join(' or ')}`, { diff: lineDiff(pretty(expected), pretty({ status: res.status, body: res.body })) });
      }
    }
    const problems = [
      ...(expect.body !== undefined ? subsetMismatches(expect.body, res.body) : []),
      ...(expect.bodyEquals !== undefined && !deepEqual(expect.bodyEquals, res.body) ? [`$: expected ${show(expect.bodyEquals)}, got ${show(res.body)}`] : []),
      ...(expect.json ? pathMismatches(expect.json, res.body) : []),
      ...(expect.headers ? headerMismatches(expect.headers, res.headers) : []),
    ];
    if (problems.length) throw expectationFailure(`${what} answered ${res.status} with a body that does not match`, { diff: mismatchDiff(problems) });
    return res;
  }

  fault(step: FaultStep): Promise<FaultRule> {
    return this.client.control<FaultRule>('POST', '/faults', step);
  }

  /** Removes a fault rule by id, or every rule with `all`. */
  async unfault(id: string): Promise<void> {
    await this.client.control('DELETE', id === 'all' ? '/faults' : `/faults/${encodeURIComponent(id)}`);
  }

  clock(step: ClockStep): Promise<{ now: number }> {
    return this.client.control('POST', '/clock/advance', 'advance' in step ? { ms: parseDuration(step.advance, 'clock.advance') } : { toNextTimer: true });
  }

  async account(step: AccountStep): Promise<PbxAccount | undefined> {
    if ('delete' in step) {
      await this.client.control('DELETE', `/pbx/accounts/${encodeURIComponent(step.delete)}`);
      return undefined;
    }
    return this.client.control<PbxAccount>('PUT', `/pbx/accounts/${encodeURIComponent(step.username)}`, { password: step.password, ...(step.domain !== undefined && { domain: step.domain }), ...(step.quirks !== undefined && { quirks: step.quirks }) });
  }

  softphone(step: SoftphoneStep): Promise<Softphone> {
    return this.client.control<Softphone>('POST', '/softphones', step);
  }

  /** Places a call from an emulator softphone; `stepId` lets later steps name it. */
  async call(step: CallStep, stepId?: string): Promise<Call> {
    const call = await this.client.control<Call>('POST', '/calls', step);
    if (stepId !== undefined) this.callsByStep.set(stepId, call.id);
    return call;
  }

  dtmf(step: DtmfStep): Promise<Call> {
    return this.client.control<Call>('POST', `/calls/${this.callId(step.call)}/dtmf`, { digits: String(step.digits), ...(step.method && { method: step.method }) });
  }

  say(step: SayStep): Promise<Call> {
    return this.client.control<Call>('POST', `/calls/${this.callId(step.call)}/utterances`, { text: step.text });
  }

  tone(step: ToneStep): Promise<Call> {
    const { call, ...tone } = step;
    return this.client.control<Call>('POST', `/calls/${this.callId(call)}/tone`, tone);
  }

  hangup(step: HangupStep): Promise<Call> {
    return this.client.control<Call>('POST', `/calls/${this.callId(step.call)}/hangup`);
  }

  /** Waits, on the emulator's clock, until something holds; returns the entry or state that made it hold. */
  async wait(step: WaitStep): Promise<unknown> {
    const withinMs = step.within === undefined ? DEFAULT_WITHIN_MS : parseDuration(step.within, 'within');
    const entries = this.journal.entries;
    try {
      if ('connection' in step) {
        const want = typeof step.status === 'string' ? parseStatus(step.status) : step.status;
        const connection = step.connection;
        // The status now, or any it went through since the wait began: a status can come and go
        // between two reads (registering, then online, in one burst of real-time SIP).
        const from = entries.length;
        const matches = (status: unknown) => status !== undefined && subsetMismatches(want, status).length === 0;
        return await this.journal.until(() => {
          const latest = latestStatus(entries, connection);
          if (matches(latest)) return latest;
          for (let i = from; i < entries.length; i++) {
            const e = entries[i]!;
            if (e.kind === 'connection.status' && e.connectionId === connection && matches(e.status)) return e.status;
          }
          return undefined;
        }, { withinMs, what: `connection ${connection} to be ${typeof step.status === 'string' ? step.status : show(step.status)}` });
      }
      if ('state' in step) {
        const id = this.callId(step.call);
        return await this.journal.until(() => entries.find((e) => e.kind === 'call.state' && e.callId === id && e.state === step.state), { withinMs, what: `call ${id} to be ${step.state}` });
      }
      if ('agent' in step) {
        const id = this.callId(step.call);
        return await this.journal.until(
          () => entries.find((e) => e.kind === 'agent.turn' && e.callId === id && subsetMismatches(step.agent, e).length === 0),
          { withinMs, what: `the agent on call ${id} to have ${step.agent.said ? `said ${step.agent.said}` : `heard ${step.agent.heard}`}` },
        );
      }
      const count = step.count ?? 1;
      return await this.journal.until(() => {
        const found = entries.filter((e) => journalMatches(step.journal, e));
        return found.length >= count ? found[count - 1] : undefined;
      }, { withinMs, what: `${count > 1 ? `${count} journal entries like` : 'a journal entry like'} ${show(step.journal)}` });
    } catch (error) {
      if (error instanceof WaitTimeout) throw new ScenarioFailure(error.message, { actual: this.lastStateFor(step), ladder: this.ladderFor('call' in step ? step.call : undefined), ...('call' in step && { callId: this.callId(step.call) }) });
      throw error;
    }
  }

  /** Checks the journal (or a resource) now; fails with what was found instead. */
  async expect(step: ExpectStep): Promise<void> {
    await this.journal.sync();
    const entries = this.journal.entries;
    if ('sip' in step) {
      const sip = step.sip;
      const callIds = sip.call === undefined ? undefined : this.sipCallIdsOf(sip.call);
      const ladder = () => (callIds ? renderLadder(entries, callIds) : undefined);
      try {
        if ('sequence' in sip) return expectSipSequence(entries, sip, callIds, ladder);
        return expectSipMessage(entries, sip, callIds, ladder);
      } catch (error) {
        if (error instanceof ScenarioFailure && sip.call !== undefined) error.details.callId ??= this.callId(sip.call);
        throw error;
      }
    }
    if ('errors' in step) {
      const errors = (await this.client.control<{ items: unknown }>('GET', `/journal?kind=connection.error&connectionId=${encodeURIComponent(step.errors)}`)).items as Array<{ error: SipConnectionError }>;
      const log = errors.map((e) => e.error);
      if (step.empty) {
        if (log.length) throw new ScenarioFailure(`the error log of ${step.errors} is not empty`, { actual: log });
        return;
      }
      const wanted = Array.isArray(step.contains) ? step.contains : [step.contains ?? {}];
      const missing = wanted.filter((w) => !log.some((e) => subsetMismatches(w, e).length === 0));
      if (missing.length) throw new ScenarioFailure(`the error log of ${step.errors} has no entry like ${show(missing[0])}`, { expected: missing, actual: log.length ? log : '(the error log is empty)' });
      return;
    }
    if ('statuses' in step) {
      const seen = entries.flatMap((e) => (e.kind === 'connection.status' && e.connectionId === step.statuses ? [`${e.status.lifecycleStatus}/${e.status.sipStatus}`] : []));
      const changes = seen.filter((s, i) => s !== seen[i - 1]);
      let at = 0;
      for (const s of changes) if (at < step.sequence.length && s === step.sequence[at]) at++;
      if (at < step.sequence.length) throw new ScenarioFailure(`connection ${step.statuses} did not go through ${step.sequence.join(' → ')}`, { expected: step.sequence, actual: changes });
      return;
    }
    if ('is' in step) {
      const id = this.callId(step.call);
      const call = await this.client.control<Call>('GET', `/calls/${id}`);
      const problems = subsetMismatches(step.is, call);
      if (problems.length) throw new ScenarioFailure(`call ${id} is not as expected`, { diff: mismatchDiff(problems), ladder: this.ladderFor(step.call), callId: id });
      return;
    }
    const found = entries.filter((e) => journalMatches(step.journal, e));
    if (step.absent) {
      if (found.length) throw new ScenarioFailure(`expected no journal entry like ${show(step.journal)}, found ${found.length}`, { actual: found[0] });
      return;
    }
    const count = step.count === undefined ? { gte: 1 } : typeof step.count === 'number' ? { equals: step.count } : step.count;
    const why = mismatch(count, found.length);
    if (why) throw new ScenarioFailure(`journal entries like ${show(step.journal)}: ${why}`, { actual: found.slice(0, 5) });
  }

  /** Checks what a softphone in the call heard (its recording), waiting up to `within` for it. */
  async audio(step: AudioStep): Promise<void> {
    const id = this.callId(step.call);
    const withinMs = step.within === undefined ? 10_000 : parseDuration(step.within, 'within');
    const deadline = performance.now() + withinMs;
    const side = step.side ? `?side=${step.side}` : '';
    let samples: Int16Array = new Int16Array(0);
    for (;;) {
      const res = await this.client.request('GET', `/_emulator/calls/${id}/recording${side}`);
      if (res.status !== 200) throw new ScenarioFailure(`call ${id} has no recording to listen to (${res.status})`, { actual: res.body });
      const wav = readWav(res.body as Buffer);
      if (wav.ok) samples = wav.value.samples;
      const heard = step.heard === undefined || audioMatches(samples, step.heard);
      const notHeard = step.notHeard === undefined || !audioMatches(samples, step.notHeard);
      // Something heard cannot be unheard: a notHeard check needs the whole window.
      if (heard && notHeard && (step.notHeard === undefined || performance.now() >= deadline)) return;
      if (!notHeard || performance.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const wanted = [step.heard && `heard ${describeMatch(step.heard)}`, step.notHeard && `not heard ${describeMatch(step.notHeard)}`].filter(Boolean).join(' and ');
    throw new ScenarioFailure(`the ${step.side ?? 'caller'} of call ${id} should have ${wanted}`, { actual: describeRecording(samples), ladder: this.ladderFor(step.call), callId: id });
  }

  /** The control API's id of a call a step names (a call id, or the id of the step that placed it). */
  callId(ref: CallRef): string {
    return this.callsByStep.get(ref) ?? ref;
  }

  /** The SIP Call-IDs of a call and of the calls it was handed off into (the transfer leg). */
  sipCallIdsOf(ref: CallRef): string[] {
    const id = this.callId(ref);
    const states = this.journal.entries.filter((e): e is Extract<JournalEntry, { kind: 'call.state' }> => e.kind === 'call.state');
    const own = states.find((e) => e.callId === id || e.sipCallId === id);
    if (!own) return [id];
    const after = states.filter((e) => e.seq > own.seq && e.from === own.from && e.callId !== own.callId && e.state === 'ringing' && entriesOf(this.journal.entries, own.callId).some((n) => n.kind === 'transfer'));
    return [own.sipCallId, ...new Set(after.map((e) => e.sipCallId))];
  }

  /** A text ladder of a call, for failures. */
  ladderFor(ref: CallRef | undefined): string | undefined {
    const chosen = ref ?? [...this.journal.entries].reverse().find((e) => e.kind === 'call.state')?.callId;
    return chosen === undefined ? undefined : renderLadder(this.journal.entries, this.sipCallIdsOf(chosen));
  }

  private lastStateFor(step: WaitStep): unknown {
    const entries = this.journal.entries;
    if ('connection' in step) return latestStatus(entries, step.connection) ?? '(no status yet)';
    if ('state' in step || 'agent' in step) {
      const id = this.callId(step.call);
      const latest = [...entries].reverse().find((e) => e.kind === 'call.state' && e.callId === id);
      return latest?.kind === 'call.state' ? { state: latest.state, reason: latest.reason } : '(no such call in the journal)';
    }
    return `${entries.length} journal entries, the last: ${show(entries.at(-1))}`;
  }
}

function expectationFailure(message: string, details: ConstructorParameters<typeof ScenarioFailure>[1]): ScenarioFailure {
  const failure = new ScenarioFailure(message, details);
  failure.fromExpectation = true;
  return failure;
}

/** `Running/online` → `{lifecycleStatus: 'Running', sipStatus: 'online'}`; `Pending` → `{lifecycleStatus: 'Pending'}`. */
export function parseStatus(text: string): { lifecycleStatus: string; sipStatus?: string | null } {
  const [lifecycleStatus, sipStatus] = text.split('/');
  return sipStatus === undefined ? { lifecycleStatus: lifecycleStatus! } : { lifecycleStatus: lifecycleStatus!, sipStatus: sipStatus === 'null' ? null : sipStatus };
}

/** Whether an entry has the match's kind (exactly or by family) and its other fields as a subset. */
export function journalMatches(match: JournalMatch, entry: JournalEntry): boolean {
  const { kind, ...fields } = match;
  if (!(entry.kind === kind || entry.kind.startsWith(`${kind}.`))) return false;
  return subsetMismatches(fields, entry).length === 0;
}

function latestStatus(entries: readonly JournalEntry[], connectionId: string): Extract<JournalEntry, { kind: 'connection.status' }>['status'] | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.kind === 'connection.status' && e.connectionId === connectionId) return e.status;
  }
  return undefined;
}

function entriesOf(entries: readonly JournalEntry[], callId: string): JournalEntry[] {
  return entries.filter((e) => (e as { callId?: string }).callId === callId);
}
