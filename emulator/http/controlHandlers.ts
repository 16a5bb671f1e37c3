import { streamSSE } from 'hono/streaming';
import type {
  CallCreate,
  CallDtmf,
  CallTone,
  CallUtterance,
  ClockAdvance,
  FaultRuleCreate,
  ScenarioRun,
  PbxAccountPut,
  PbxQuirks,
  ProjectSipPut,
  QuotaReview,
  SoftphoneCreate,
} from '../generated/index.js';
import type { Handler, HandlerOutput } from './handler.js';
import { respondFile } from './respond.js';

const ok = (body: unknown, status = 200): HandlerOutput => ({ status, body });
const noContent: HandlerOutput = { status: 204 };
const file = (context: Parameters<Handler>[0]['context'], bytes: Buffer, type: string, name: string): HandlerOutput => ({ response: respondFile(served(context), bytes, type, name) });
/** The Hono context of a control route: Hono serves every control route (only public operations are served by Node directly). */
function served(context: Parameters<Handler>[0]['context']): NonNullable<Parameters<Handler>[0]['context']> {
  if (!context) throw new Error('omnisip: a control route was served without its Hono context');
  return context;
}
/** `kind=sip,call` and `kind=sip&kind=call` alike. */
/** One server-sent event for a journal entry, as Hono's writeSSE writes it (JSON has no raw line breaks, so one data line). */
const sseFrame = (entry: { kind: string; seq: number }): string => `event: ${entry.kind}\ndata: ${JSON.stringify(entry)}\nid: ${entry.seq}\n\n`;

const kinds = (value: unknown): string[] | undefined =>
  value === undefined ? undefined : String(value).split(',').map((k) => k.trim()).filter(Boolean);

/**
 * One handler per operationId of control-openapi.yaml, each a line: parse, call the control plane,
 * serialise. A ControlError it throws becomes its error envelope (apiRoutes).
 */
export const controlHandlers: Record<string, Handler> = {
  getHealth: (_i, { control }) => ok(control.getHealth()),
  getDiagnostics: (_i, { control }) => ok(control.getDiagnostics()),
  reset: async (_i, { control }) => (await control.reset(), noContent),
  listProjects: (_i, { control }) => ok(control.listProjects()),
  getProjectSip: ({ params }, { control }) => ok(control.getProjectSip(params.apiKey!)),
  putProjectSip: ({ params, body }, { control }) => ok(control.putProjectSip(params.apiKey!, body as ProjectSipPut)),
  reviewQuotaRequest: ({ params, body }, { control }) => ok(control.reviewQuotaRequest(params.apiKey!, params.id!, body as QuotaReview)),
  getState: ({ query }, { control }) => ok(control.getState(query.includeSecrets === true)),
  putState: ({ body }, { control }) => ok(control.putState(body)),
  getClock: (_i, { control }) => ok(control.getClock()),
  advanceClock: ({ body }, { control }) => ok(control.advanceClock(body as ClockAdvance)),

  listScenarioRuns: (_i, { control }) => ok(control.listScenarioRuns()),
  reportScenarioRun: ({ body }, { control }) => ok(control.reportScenarioRun(body as ScenarioRun)),

  createFault: ({ body }, { control }) => ok(control.createFault(body as FaultRuleCreate), 201),
  listFaults: (_i, { control }) => ok(control.listFaults()),
  deleteFaults: (_i, { control }) => (control.deleteFaults(), noContent),
  deleteFault: ({ params }, { control }) => (control.deleteFault(params.faultId!), noContent),

  listPbxAccounts: (_i, { control }) => ok(control.listPbxAccounts()),
  putPbxAccount: ({ params, body }, { control }) => ok(control.putPbxAccount(params.username!, body as PbxAccountPut)),
  deletePbxAccount: ({ params }, { control }) => (control.deletePbxAccount(params.username!), noContent),
  getPbxQuirks: (_i, { control }) => ok(control.getPbxQuirks()),
  putPbxQuirks: ({ body }, { control }) => ok(control.putPbxQuirks(body as PbxQuirks)),
  getSipTrace: ({ params }, { control }) => ok(control.getSipTrace(params.id!)),

  getJournal: ({ query }, { control }) =>
    ok(control.getJournal({
      ...(query.since !== undefined && { since: query.since as number }),
      ...(query.kind !== undefined && { kind: kinds(query.kind) }),
      ...(query.callId !== undefined && { callId: query.callId as string }),
      ...(query.connectionId !== undefined && { connectionId: query.connectionId as string }),
      ...(query.limit !== undefined && { limit: query.limit as number }),
    })),

  /** Server-sent events: one `data:` line of JSON per journal entry, named by its kind. */
  getEvents: ({ query, context }, { control }) => {
    const entries = control.getEvents({ ...(query.since !== undefined && { since: query.since as number }), ...(query.kind !== undefined && { kind: kinds(query.kind) }) });
    return {
      response: streamSSE(served(context), async (stream) => {
        stream.onAbort(() => void entries.return?.());
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ now: control.clock.now(), lastSeq: control.journal.lastSeq }) });
        for await (const entry of entries) {
          if (stream.aborted) break;
          // The entries recorded meanwhile go out in the same write (up to 256: a reader starting
          // from an old `since` gets the ring in several writes, not one of megabytes): with 5,000
          // connections coming online, a write (and an await) per status change was a few per cent
          // of the emulator's time.
          let frames = sseFrame(entry);
          for (const next of entries.takeQueued(256)) frames += sseFrame(next);
          await stream.write(frames);
        }
      }),
    };
  },

  createSoftphone: async ({ body }, { control }) => ok(await control.createSoftphone(body as SoftphoneCreate), 201),
  listSoftphones: (_i, { control }) => ok(control.listSoftphones()),
  deleteSoftphone: async ({ params }, { control }) => (await control.deleteSoftphone(params.username!), noContent),

  createCall: async ({ body }, { control }) => ok(await control.createCall(body as CallCreate), 201),
  listCalls: (_i, { control }) => ok(control.listCalls()),
  getCall: ({ params }, { control }) => ok(control.getCall(params.callId!)),
  sendCallDtmf: async ({ params, body }, { control }) => ok(await control.sendCallDtmf(params.callId!, body as CallDtmf), 202),
  sendCallUtterance: async ({ params, body }, { control }) => ok(await control.sendCallUtterance(params.callId!, body as CallUtterance), 202),
  playCallTone: ({ params, body }, { control }) => ok(control.playCallTone(params.callId!, body as CallTone), 202),
  hangupCall: async ({ params }, { control }) => ok(await control.hangupCall(params.callId!), 202),
  getCallRecording: ({ params, query, context }, { control }) =>
    file(context, control.getCallRecording(params.callId!, query.side as 'caller' | 'callee' | undefined), 'audio/wav', `${params.callId}.wav`),
  getCallPcap: ({ params, context }, { control }) => file(context, control.getCallPcap(params.callId!), 'application/vnd.tcpdump.pcap', `${params.callId}.pcap`),
};
