import { runSipp } from '../../test/support/sipp.js';
import type { FaultKind, FaultWindow, Generator } from './faultSchedule.js';
import { describeError, request, sleep } from './http.js';
import type { Outcomes } from './Outcomes.js';
import type { SoakTarget } from './prepareSoak.js';

export interface LoadContext {
  apiUrl: string;
  sipPort: number;
  target: SoakTarget;
  outcomes: Outcomes;
  /** Wall-clock ms: the load stops being generated then. */
  deadline: number;
  log: (line: string) => void;
}

/** SIPp's run in chunks, so that each chunk's failures can be told apart by the fault windows it met. */
export const sippChunkSeconds = 10;

/** A short why from SIPp's output, for the report. */
function sippWhy(output: string): string | undefined {
  return /^.*(Aborting call|Unexpected|unexpected message|timeout|Failed)[^\n]*$/im.exec(output)?.[0]?.trim().slice(0, 160);
}

/** SIPp runs of `scenario` at `rate` per second, one chunk after another until the deadline. */
export async function sippLoop(context: LoadContext, load: { generator: Generator; scenario: string; rows: string[]; rate: number; extraArgs?: string[] }): Promise<void> {
  while (context.deadline - Date.now() > 1000) {
    const seconds = Math.min(sippChunkSeconds, (context.deadline - Date.now()) / 1000);
    const calls = Math.max(1, Math.round(load.rate * seconds));
    const startedAt = Date.now();
    const run = await runSipp({ target: `127.0.0.1:${context.sipPort}`, scenario: load.scenario, rows: load.rows, transport: 'UDP', calls, rate: load.rate, timeoutSeconds: sippChunkSeconds + 40, ...(load.extraArgs && { extraArgs: load.extraArgs }) });
    const failed = calls - run.successful;
    const why = failed > 0 ? `SIPp exit ${run.exitCode}: ${run.failed} failed, ${failed - run.failed} unfinished${sippWhy(run.output) ? ` (${sippWhy(run.output)})` : ''}` : undefined;
    context.outcomes.record(load.generator, startedAt, Date.now(), calls, failed, why);
  }
}

const until = async (what: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<boolean> => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await what()) return true;
    await sleep(everyMs);
  }
  return false;
};

/**
 * Handoffs, one every `everySeconds`: an emulator softphone calls the agent, presses 0, the agent
 * REFERs it to extension 200 (an emulator softphone), and the transferred call is hung up once up.
 */
export async function handoffLoop(context: LoadContext, everySeconds: number): Promise<void> {
  const control = (method: string, path: string, body?: unknown) => request(`${context.apiUrl}/_emulator${path}`, method, { body });
  let next = Date.now();
  while (context.deadline - Date.now() > 5000) {
    await sleep(next - Date.now());
    next += everySeconds * 1000;
    const startedAt = Date.now();
    const fail = (reason: string) => context.outcomes.record('handoff', startedAt, Date.now(), 1, 1, reason);
    const placed: { id?: string } = {};
    try {
      await handoff(context, control, fail, startedAt, placed);
    } catch (error) {
      // A request that got no answer is a failed handoff, not the end of the soak; its calls are
      // hung up, or they would go on (with their audio) for the rest of the run.
      fail(`request failed: ${describeError(error)}`);
      if (placed.id !== undefined) await hangUpLeftovers(control, placed.id).catch(() => undefined);
    }
  }
}

type Control = (method: string, path: string, body?: unknown) => ReturnType<typeof request>;

/** Hangs up the handoff's call and the call its transfer placed, where they have not ended. */
async function hangUpLeftovers(control: Control, id: string): Promise<void> {
  const list = (await control('GET', '/calls')).body?.items as Array<{ id: string; transferOf: string | null; state: string }> | undefined;
  for (const call of list ?? []) {
    if ((call.id === id || call.transferOf === id) && call.state !== 'ended') await control('POST', `/calls/${call.id}/hangup`);
  }
}

/** One handoff: call, answer, DTMF 0, REFER to 200, the transferred call up, then hung up. */
async function handoff(context: LoadContext, control: Control, fail: (reason: string) => void, startedAt: number, placed: { id?: string }): Promise<void> {
  const created = await control('POST', '/calls', { from: 'soak-caller', to: context.target.extension });
  if (created.status !== 201) return fail(`POST /_emulator/calls answered ${created.status}`);
  const id = created.body.id as string;
  placed.id = id;
  let call: any;
  const read = async () => (call = (await control('GET', `/calls/${id}`)).body);
  if (!(await until(async () => (await read())?.state === 'active', 10_000))) {
    fail(`the agent did not answer (state ${call?.state}, ${call?.endReason ?? 'no end reason'})`);
    if (call?.state !== 'ended') await control('POST', `/calls/${id}/hangup`);
    return;
  }
  await control('POST', `/calls/${id}/dtmf`, { digits: '0' });
  if (!(await until(async () => ['succeeded', 'failed'].includes((await read())?.transfer?.outcome), 15_000)) || call.transfer.outcome !== 'succeeded') {
    fail(`transfer ${call?.transfer?.outcome ?? 'not started'} (${call?.transfer?.status ?? 'no status'})`);
    if (call?.state !== 'ended') await control('POST', `/calls/${id}/hangup`);
    return;
  }
  let transferred: any;
  const found = await until(async () => {
    const list = (await control('GET', '/calls')).body?.items as Array<{ id: string; transferOf: string | null; state: string }> | undefined;
    transferred = list?.find((c) => c.transferOf === id);
    return transferred?.state === 'active';
  }, 10_000);
  if (transferred && transferred.state !== 'ended') await control('POST', `/calls/${transferred.id}/hangup`);
  if (!found) fail(`the transferred call to 200 was not up (${transferred?.state ?? 'no call'})`);
  else context.outcomes.record('handoff', startedAt, Date.now(), 1, 0);
}

/** Public API requests at `rate` per second, in turn: list agents, read the connection, create and delete an agent. */
export async function apiLoop(context: LoadContext, rate: number, agentBody: unknown): Promise<void> {
  const { apiKey, connectionId } = context.target;
  const api = (method: string, path: string, body?: unknown) => request(`${context.apiUrl}${path}`, method, { apiKey, body });
  const steps: Array<() => Promise<{ generator: Generator; ok: boolean; reason: string }>> = [
    async () => {
      const r = await api('GET', '/public/agents');
      return { generator: 'api-listAgents', ok: r.status === 200, reason: `GET /public/agents answered ${r.status}` };
    },
    async () => {
      const r = await api('GET', `/public/sip-connections/${connectionId}`);
      return { generator: 'api-other', ok: r.status === 200, reason: `GET /public/sip-connections/{id} answered ${r.status}` };
    },
    async () => {
      const created = await api('POST', '/public/agents', agentBody);
      if (created.status !== 200) return { generator: 'api-other', ok: false, reason: `POST /public/agents answered ${created.status}` };
      const deleted = await api('DELETE', `/public/agents/${created.body.id}`);
      return { generator: 'api-other', ok: deleted.status === 204, reason: `DELETE /public/agents/{id} answered ${deleted.status}` };
    },
  ];
  const started = Date.now();
  for (let i = 0; Date.now() < context.deadline; i++) {
    await sleep(started + (i * 1000) / rate - Date.now());
    const startedAt = Date.now();
    try {
      const result = await steps[i % steps.length]!();
      context.outcomes.record(result.generator, startedAt, Date.now(), 1, result.ok ? 0 : 1, result.reason);
    } catch (error) {
      context.outcomes.record(i % steps.length === 0 ? 'api-listAgents' : 'api-other', startedAt, Date.now(), 1, 1, `request failed: ${describeError(error)}`);
    }
  }
}

/** The fault rules of each kind (see faultSchedule.ts for what each can make fail). */
export function faultRules(kind: FaultKind): unknown[] {
  switch (kind) {
    case 'invite-drop':
      return [{ match: { target: 'sip', method: 'INVITE', direction: 'in' }, action: { type: 'drop' }, probability: 0.2 }];
    case 'api-503':
      return [{ match: { target: 'api', operation: 'listAgents' }, action: { type: 'respond', status: 503 } }];
    case 'register-503':
      return [0, 1, 2, 3, 4].map((i) => ({ match: { target: 'sip', method: 'REGISTER', account: `u${i}` }, action: { type: 'respond', status: 503 } }));
  }
}

/** Switches each window's fault rules on at its start and off at its end, through the control API. */
export async function switchFaults(context: LoadContext, windows: readonly FaultWindow[], loadStart: number): Promise<void> {
  const control = (method: string, path: string, body?: unknown) => request(`${context.apiUrl}/_emulator${path}`, method, { body });
  for (const window of windows) {
    await sleep(loadStart + window.onAt * 1000 - Date.now());
    const ids: string[] = [];
    for (const rule of faultRules(window.kind)) {
      const created = await control('POST', '/faults', rule);
      if (created.status !== 201) throw new Error(`bench:soak: POST /_emulator/faults answered ${created.status}: ${JSON.stringify(created.body)}`);
      ids.push(created.body.id as string);
    }
    context.log(`fault ${window.kind} on (${window.onAt}-${window.offAt} s)`);
    await sleep(loadStart + window.offAt * 1000 - Date.now());
    for (const id of ids) await control('DELETE', `/faults/${id}`);
  }
}
