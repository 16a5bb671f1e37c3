import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { stringify } from 'yaml';
import type { JournalEntry } from '../../emulator/index.js';
import { readJournalFile } from './readJournalFile.js';

type ApiEntry = Extract<JournalEntry, { kind: 'api' }>;

/** `[secret 3]` → `secret-3`: a password the draft can send, equal wherever the recording's were equal. */
const unredact = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null).replace(/\[secret (\d+)\]/g, 'secret-$1'));

/**
 * A draft scenario from a recorded session (`omnisip start --journal run.ndjson`, then curl or a
 * client): each public API request becomes an `api` step expecting the status it got, each control
 * request the step of that name (fault, clock, account, softphone, call, dtmf, say, tone,
 * hangup), ids of resources made earlier become `${steps.<id>.id}`, and the statuses and call
 * states the session waited for become `wait` steps. A draft: read it, name the steps, sharpen the
 * expectations.
 *
 * @example
 * process.stdout.write(scenarioFromJournal('run.ndjson'));
 */
export function scenarioFromJournal(file: string): string {
  const entries = readJournalFile(readFileSync(file, 'utf8'));
  const steps: Array<Record<string, unknown>> = [];
  /** Recorded ids → the step that made them. */
  const made = new Map<string, string>();
  const counters = new Map<string, number>();
  const name = (prefix: string) => {
    const n = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, n);
    return `${prefix}${n}`;
  };
  const ref = (text: string) => text.replace(/\b(agent|sipconn|call|fault|chanconfig)_[a-z0-9]{24}\b/g, (id) => (made.has(id) ? `\${steps.${made.get(id)}.id}` : id));
  const refer = (value: unknown): unknown => JSON.parse(ref(JSON.stringify(value ?? null)));
  let pending: Array<Record<string, unknown>> = [];

  for (const entry of entries) {
    // What the world did as it closed (calls ended, unREGISTERs) was no request of the session's.
    if (entry.kind === 'emulator.closing') break;
    // What the session waited for shows as the state a later request found; the last of each is enough.
    if (entry.kind === 'connection.status' && made.has(entry.connectionId)) {
      pending = pending.filter((w) => (w.wait as { connection?: string }).connection !== `\${steps.${made.get(entry.connectionId)}.id}`);
      pending.push({ wait: { connection: `\${steps.${made.get(entry.connectionId)}.id}`, status: `${entry.status.lifecycleStatus}/${entry.status.sipStatus}`, within: '60s' } });
      continue;
    }
    if (entry.kind === 'call.state' && made.has(entry.callId) && entry.state !== 'ringing') {
      pending.push({ wait: { call: made.get(entry.callId), state: entry.state, within: '30s' } });
      continue;
    }
    if (entry.kind !== 'api' || entry.response.status >= 500) continue;
    const step = stepOf(entry, name, ref, refer);
    if (!step) continue;
    steps.push(...pending, step.step);
    pending = [];
    const createdId = (entry.response.body as { id?: unknown } | undefined)?.id;
    if (typeof createdId === 'string' && step.id) made.set(createdId, step.id);
  }
  steps.push(...pending);
  const started = entries.find((e) => e.kind === 'emulator.started');
  const scenario = {
    name: `recorded session ${basename(file)}`,
    description: `Drafted by omnisip scenario from-journal from ${basename(file)}${started?.kind === 'emulator.started' && started.seed !== null ? ` (seed ${started.seed})` : ''}: check the expectations and name the steps.`,
    ...(started?.kind === 'emulator.started' && started.seed !== null && { options: { seed: started.seed } }),
    steps: steps.length ? steps : [{ expect: { journal: { kind: 'emulator.started' } } }],
  };
  return `# yaml-language-server: $schema=./scenario.schema.json\n${stringify(scenario, { lineWidth: 120 })}`;
}

function stepOf(entry: ApiEntry, name: (prefix: string) => string, ref: (text: string) => string, refer: (value: unknown) => unknown): { step: Record<string, unknown>; id?: string } | undefined {
  const body = entry.request.body === undefined ? undefined : unredact(refer(entry.request.body));
  if (entry.api === 'public') {
    const id = entry.method === 'POST' && (entry.operationId === 'createAgent' || entry.operationId === 'createSipConnection') ? name(entry.operationId === 'createAgent' ? 'agent' : 'conn') : undefined;
    const path = ref(`${entry.path}${entry.query ? `?${entry.query}` : ''}`);
    return { ...(id && { id }), step: { ...(id && { id }), api: { method: entry.method, path, ...(body !== undefined && { body }) }, expect: { status: entry.response.status } } };
  }
  if (entry.method === 'GET') return undefined;
  const path = entry.path.replace(/^\/_emulator/, '');
  const callIn = /^\/calls\/([^/]+)\/(dtmf|utterances|tone|hangup)$/.exec(path);
  if (callIn) {
    const call = ref(callIn[1]!).replace(/^\$\{steps\.([^.]+)\.id\}$/, '$1');
    const action = { dtmf: 'dtmf', utterances: 'say', tone: 'tone', hangup: 'hangup' }[callIn[2] as 'dtmf']!;
    return { step: { [action]: { call, ...(body as object | undefined) } } };
  }
  if (path === '/calls' && entry.method === 'POST') {
    const id = name('call');
    return { id, step: { id, call: body } };
  }
  if (path === '/faults' && entry.method === 'POST') {
    const id = name('fault');
    return { id, step: { id, fault: body } };
  }
  if (path.startsWith('/faults') && entry.method === 'DELETE') return { step: { unfault: path === '/faults' ? 'all' : ref(path.slice('/faults/'.length)) } };
  if (path === '/clock/advance') {
    const advance = body as { ms?: number; toNextTimer?: boolean } | undefined;
    return { step: { clock: advance?.toNextTimer ? { toNextTimer: true } : { advance: `${advance?.ms ?? 0}ms` } } };
  }
  const account = /^\/pbx\/accounts\/([^/]+)$/.exec(path);
  if (account) return { step: { account: entry.method === 'DELETE' ? { delete: decodeURIComponent(account[1]!) } : { username: decodeURIComponent(account[1]!), ...(body as object) } } };
  if (path === '/softphones' && entry.method === 'POST') return { step: { softphone: body } };
  return undefined;
}
