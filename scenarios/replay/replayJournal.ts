import type { EmulatorOptions, JournalEntry, RunningEmulator } from '../../emulator/index.js';
import { startEmulator } from '../../emulator/index.js';
import { IdMap, OutputReader, type Output } from './outputs.js';

type ApiEntry = Extract<JournalEntry, { kind: 'api' }>;
type StartedEntry = Extract<JournalEntry, { kind: 'emulator.started' }>;

/** Where the replay first did something other than the recording. */
export interface Divergence {
  /** The recorded entry it is about (or the last one before an extra output). */
  seq: number;
  /** `response`, or the output stream: `sip listener:sipconn_…`, `status sipconn_…`, `call call_…`. */
  stream: string;
  what: string;
  recorded: string;
  replayed: string;
}

export interface ReplayReport {
  divergence: Divergence | undefined;
  /** Requests re-sent (public and control API), outputs compared. */
  inputs: number;
  outputs: number;
  /** SIP messages that came from peers outside the emulator: not re-sent (see README, Replay). */
  external: { messages: number; peers: string[] };
  seed: number | null;
  clock: 'real' | 'virtual';
}

export interface ReplayOptions {
  /** How long to wait, in real ms, for what the recording had produced before each request. Default 15 000. */
  gateTimeoutMs?: number;
  /** Changes to the world the replay starts (tests change a behaviour on purpose with these). */
  world?: Partial<EmulatorOptions>;
  /** Called with the world before the first request. */
  onWorld?: (emulator: RunningEmulator) => void | Promise<void>;
}

const NOTHING_YET = '(nothing yet)';

/** Reads that change nothing and that a replay's own following would disturb. */
const NOT_INPUTS = /^\/_emulator\/(journal|events|health)\b/;
const isInput = (e: JournalEntry): e is ApiEntry => e.kind === 'api' && !NOT_INPUTS.test(e.path) && !(e.method === 'GET' && /^\/(docs|$)/.test(e.path));

/** `[secret 3]` → `secret-3`: equal wherever the recording's passwords were equal. */
const unredact = (text: string) => text.replace(/\[secret (\d+)\]/g, 'secret-$1');

/** Times the emulator clock does not give (calls and agent turns are stamped in wall-clock time, for pcaps) and counts that follow the machine's timing. */
const VOLATILE = /^(startedAt|answeredAt|endedAt|wall|durationMs|rtp|timeline|jitterMs|packetsSent|packetsReceived|packetsLost)$/;
/**
 * What an action on a live call (keys, words, a tone, hang-up) answers is a snapshot of a call that
 * reacts in real time: whether the agent has heard the keys yet, or begun the transfer, when the
 * view is taken follows the machine. Those reactions are compared where they are ordered, in the
 * call's state, agent and transfer streams; the snapshot's copies of them are not.
 */
const CALL_ACTION = /^\/_emulator\/calls\/[^/]+\/(dtmf|utterance|tone|hangup)$/;
const REACTIONS = /^(state|transfer|agentTurns|endReason)$/;

/** Times of the emulator clock: equal in two runs of a virtual clock, the time of day with a real one. */
const CLOCK_TIMES = /^(created|updated|at|now|lastRefreshed|expiresAt|timestamp)$/;

/** A body as compared: ports masked, volatile fields masked; with a real clock, times too; unseeded, SIP Call-IDs (random). */
function comparable(body: unknown, realClock: boolean, seeded: boolean, callAction = false): string {
  const text = JSON.stringify(body ?? null, function (this: Record<string, unknown>, key, value: unknown) {
    const volatile = VOLATILE.test(key) || (key === 'at' && ('said' in this || 'heard' in this)) || (callAction && REACTIONS.test(key));
    return volatile || (realClock && typeof value === 'number' && CLOCK_TIMES.test(key)) || (!seeded && key === 'callId') ? '<masked>' : value;
  });
  return text.replace(/(127\.0\.0\.1|localhost):\d+/g, '$1:*').replace(/"(port|rtpPort|localPort)":\d+/g, '"$1":"*"');
}

/**
 * Replays a recorded run (`omnisip start --journal`, or a scenario run's journal): starts a fresh
 * world with the recorded seed, clock and options, re-sends every recorded public and control API
 * request in order, each once the replay has produced what the recording had produced before it,
 * and compares what comes out: each response (status and body), and per connection, call and SIP
 * party the SIP messages, statuses, error log, registrations, agent turns, DTMF and transfers.
 * Returns the first divergence, in recording order.
 */
export async function replayJournal(entries: readonly JournalEntry[], options: ReplayOptions = {}): Promise<ReplayReport> {
  const started = entries[0] as StartedEntry | undefined;
  if (started?.kind !== 'emulator.started') throw new Error('the journal does not start with emulator.started: is it a whole omnisip journal?');
  const gateMs = options.gateTimeoutMs ?? 15_000;
  const realClock = started.clock === 'real';
  const recordedReader = new OutputReader();
  // The world's shutdown (BYEs and unREGISTERs, each with a short grace for its answer) follows the
  // machine's timing: what the recording had before its world began to close is compared, not after.
  const closingSeq = entries.find((e) => e.kind === 'emulator.closing')?.seq ?? Infinity;
  const recordedOutputs = [...entries.flatMap((e) => recordedReader.read(e)), ...recordedReader.flush()].filter((o) => o.seq < closingSeq);
  const inputs = entries.filter(isInput);
  const ids = new IdMap();
  const replayed: Output[] = [];
  const divergences: Divergence[] = [];

  const { pbxAccounts: _named, ...behaviour } = started.options ?? {};
  const emulator = await startEmulator({
    apiPort: 0,
    sipPort: 0,
    logLevel: 'silent',
    clock: started.clock,
    ...(started.seed !== null && { seed: started.seed }),
    ...(started.clock === 'virtual' && { clockStart: started.clockStart }),
    ...(started.options && behaviour),
    ...options.world,
  });
  const listeners = new Set<() => void>();
  const reader = new OutputReader();
  let replayClosingSeq = Infinity;
  const unsubscribe = emulator.world.journal.subscribe((entry) => {
    if (entry.kind === 'emulator.closing') replayClosingSeq = entry.seq;
    const outputs = reader.read(entry).filter((o) => o.seq < replayClosingSeq);
    if (!outputs.length) return;
    replayed.push(...outputs);
    for (const wake of listeners) wake();
  });
  try {
    await options.onWorld?.(emulator);
    for (const input of inputs) {
      // What the recording had before this request arrived (journals of older versions: before its entry).
      const before = (input.after ?? input.seq - 1) + 1;
      const gate = await waitFor(() => missingBefore(recordedOutputs, [...replayed, ...reader.peek()], ids, before), gateMs, listeners);
      if (gate) divergences.push(gate);
      const divergence = await resend(emulator.url, input, ids, realClock, started.seed !== null);
      if (divergence) divergences.push(divergence);
      if (divergences.length) break;
    }
    if (!divergences.length) {
      // Everything the recording had before its world began to close (or before it ended, if it was killed).
      const rest = await waitFor(() => missingBefore(recordedOutputs, [...replayed, ...reader.peek()], ids, closingSeq), gateMs, listeners);
      if (rest) divergences.push(rest);
    }
  } finally {
    // The recording ends with the world's close (unREGISTERs, removed bindings); so does the replay.
    await emulator.close();
    unsubscribe();
    replayed.push(...reader.flush().filter((o) => o.seq < replayClosingSeq));
  }
  if (!divergences.length) divergences.push(...compareStreams(recordedOutputs, replayed, ids));
  return {
    divergence: divergences.sort((a, b) => a.seq - b.seq)[0],
    inputs: inputs.length,
    outputs: recordedOutputs.length,
    external: externalPeers(entries),
    seed: started.seed,
    clock: started.clock,
  };
}

/** Sends one recorded request to the replay and compares its response with the recorded one. */
async function resend(url: string, input: ApiEntry, ids: IdMap, realClock: boolean, seeded: boolean): Promise<Divergence | undefined> {
  const path = ids.toReplay(`${input.path}${input.query ? `?${input.query}` : ''}`);
  const headers: Record<string, string> = {};
  if (input.apiKey !== undefined) headers['X-Api-Key'] = input.apiKey;
  let body: string | undefined;
  if (input.request.body !== undefined) {
    body = ids.toReplay(unredact(typeof input.request.body === 'string' ? input.request.body : JSON.stringify(input.request.body)));
    headers['Content-Type'] = input.request.contentType ?? 'application/json';
  }
  const response = await fetch(`${url}${path}`, { method: input.method, headers, ...(body !== undefined && { body }) });
  const text = await response.text();
  const what = `${input.method} ${input.path}${input.query ? `?${input.query}` : ''}`;
  if (response.status !== input.response.status) {
    return { seq: input.seq, stream: 'response', what: `${what} answered another status`, recorded: String(input.response.status), replayed: `${response.status} ${text.slice(0, 300)}` };
  }
  if (input.response.body === undefined || !(response.headers.get('content-type') ?? '').includes('json') || text === '') return undefined;
  const callAction = CALL_ACTION.test(input.path);
  const recorded = comparable(input.response.body, realClock, seeded, callAction);
  const replayedBody = comparable(JSON.parse(text), realClock, seeded, callAction);
  if (ids.unify(recorded, replayedBody)) return undefined;
  return { seq: input.seq, stream: 'response', what: `${what} answered another body`, recorded, replayed: replayedBody };
}

/** Streams by key; the replay's keys read in the recording's ids where known. */
function byStream(outputs: readonly Output[], key: (o: Output) => string = (o) => o.stream): Map<string, Output[]> {
  const streams = new Map<string, Output[]>();
  for (const o of outputs) {
    const k = key(o);
    let list = streams.get(k);
    if (!list) streams.set(k, (list = []));
    list.push(o);
  }
  return streams;
}

/**
 * Lines the replay's streams up with the recording's: a replayed stream whose ids are not yet
 * known (a call the replay created under another id) takes the unclaimed recorded stream of the
 * same kind whose first output it matches.
 */
function align(recorded: Map<string, Output[]>, replayed: readonly Output[], ids: IdMap): Map<string, Output[]> {
  let mine = byStream(replayed, (o) => ids.toRecorded(o.stream));
  for (const [key, list] of mine) {
    if (recorded.has(key)) continue;
    const kind = key.split(' ')[0];
    for (const [candidate, theirs] of recorded) {
      if (candidate.split(' ')[0] !== kind || mine.has(candidate)) continue;
      if (ids.unify(`${candidate}\n${theirs[0]!.signature}`, `${list[0]!.stream}\n${list[0]!.signature}`)) break;
    }
  }
  mine = byStream(replayed, (o) => ids.toRecorded(o.stream));
  return mine;
}

/** What the recording had produced before `seq` that the replay has not (yet); undefined when nothing. */
function missingBefore(recordedOutputs: readonly Output[], replayed: readonly Output[], ids: IdMap, seq: number): Divergence | undefined {
  const recorded = byStream(recordedOutputs.filter((o) => o.seq < seq));
  const mine = align(recorded, replayed, ids);
  let first: Divergence | undefined;
  for (const [stream, theirs] of recorded) {
    const ours = mine.get(stream) ?? [];
    for (let i = 0; i < theirs.length; i++) {
      const match = ours[i] !== undefined && ids.unify(theirs[i]!.signature, ours[i]!.signature);
      if (match) continue;
      if (!first || theirs[i]!.seq < first.seq) first = { seq: theirs[i]!.seq, stream, what: ours[i] ? 'another output' : 'an output the replay did not produce', recorded: theirs[i]!.signature, replayed: ours[i]?.signature ?? NOTHING_YET };
      break;
    }
  }
  return first;
}

/** Every stream, whole: the first place where the two differ, including an output the recording never had. */
function compareStreams(recordedOutputs: readonly Output[], replayed: readonly Output[], ids: IdMap): Divergence[] {
  const recorded = byStream(recordedOutputs);
  const mine = align(recorded, replayed, ids);
  const found: Divergence[] = [];
  for (const [stream, ours] of mine) {
    const theirs = recorded.get(stream) ?? [];
    for (let i = 0; i < Math.max(theirs.length, ours.length); i++) {
      if (theirs[i] && ours[i] && ids.unify(theirs[i]!.signature, ours[i]!.signature)) continue;
      const at = theirs[i]?.seq ?? (theirs.at(-1)?.seq ?? 0) + 0.5;
      found.push({ seq: at, stream, what: theirs[i] ? 'another output' : 'an output the recording does not have', recorded: theirs[i]?.signature ?? '(nothing)', replayed: ours[i]?.signature ?? '(nothing)' });
      break;
    }
  }
  return found;
}

/** Waits, woken by each replayed output, until `check` finds nothing missing; then undefined, else what is missing. */
function waitFor(check: () => Divergence | undefined, ms: number, listeners: Set<() => void>): Promise<Divergence | undefined> {
  return new Promise((resolve) => {
    let missing = check();
    if (!missing || missing.replayed !== NOTHING_YET) return resolve(missing);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (result: Divergence | undefined) => {
      clearTimeout(timer);
      listeners.delete(wake);
      resolve(result);
    };
    const wake = () => {
      missing = check();
      // A stream's outputs come in order: one that differs will not come right by waiting.
      if (!missing || missing.replayed !== NOTHING_YET) done(missing);
    };
    listeners.add(wake);
    timer = setTimeout(() => done(missing), ms);
  });
}

/** SIP messages received from an address no party of the emulator used: a phone, SIPp, a PBX of the user's. */
function externalPeers(entries: readonly JournalEntry[]): ReplayReport['external'] {
  const sip = entries.filter((e): e is Extract<JournalEntry, { kind: 'sip' }> => e.kind === 'sip');
  const own = new Set(sip.map((e) => e.local));
  // Over TCP a party's message leaves from a connection's port: its bytes show it was a party's.
  const sent = new Set(sip.filter((e) => e.direction === 'out').map((e) => e.text));
  const outside = sip.filter((e) => e.direction === 'in' && !own.has(e.remote) && !sent.has(e.text));
  return { messages: outside.length, peers: [...new Set(outside.map((e) => e.remote))] };
}
