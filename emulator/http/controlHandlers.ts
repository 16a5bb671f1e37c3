import { streamSSE } from 'hono/streaming';
import type { FaultRuleCreate } from '../generated/index.js';
import { VirtualClock } from '../core/clock.js';
import { controlErrors } from '../control/errors.js';
import type { EmulatorEvent } from '../events.js';
import type { Pbx } from '../pbx/index.js';
import type { CallControl } from '../control/CallControl.js';
import { success, type Result } from '../core/result.js';
import type { CallCreate, CallDtmf, CallTone, CallUtterance, SoftphoneCreate } from '../generated/index.js';
import type { Handler, HandlerDeps, HandlerOutput } from './handler.js';

const withPbx = (deps: HandlerDeps, then: (pbx: Pbx) => HandlerOutput): HandlerOutput => {
  const pbx = deps.pbx();
  return pbx ? then(pbx) : { failure: controlErrors.sipDisabled() };
};

const withCalls = async (deps: HandlerDeps, then: (calls: CallControl) => Promise<Result<unknown>> | Result<unknown>, status = 200): Promise<HandlerOutput> => {
  const calls = deps.calls();
  if (!calls) return { failure: controlErrors.sipDisabled() };
  const result = await then(calls);
  if (!result.ok) return { failure: result.error };
  return result.value === undefined ? { status: 204 } : { status, body: result.value };
};

const clockView = ({ clock }: HandlerDeps) => {
  const pending = clock.pendingTimers();
  return { mode: clock.mode, now: clock.now(), pendingTimers: pending.count, nextTimerAt: pending.nextAt };
};

/** One handler per operationId of control-openapi.yaml. */
export const controlHandlers: Record<string, Handler> = {
  getHealth: (_input, deps) => ({
    status: 200,
    body: { status: 'ok', version: deps.control.version, ports: deps.control.ports(), clock: { mode: deps.clock.mode, now: deps.clock.now() } },
  }),

  reset: async (_input, deps) => {
    await deps.control.reset();
    return { status: 204 };
  },

  getClock: (_input, deps) => ({ status: 200, body: clockView(deps) }),

  advanceClock: ({ body }, deps) => {
    const { clock } = deps;
    if (!(clock instanceof VirtualClock)) return { failure: controlErrors.clockNotVirtual() };
    const request = body as { ms?: number; toNextTimer?: boolean };
    if (request.toNextTimer) clock.advanceToNextTimer();
    else clock.advance(request.ms ?? 0);
    deps.events.publish({ type: 'clock.advanced', at: clock.now(), now: clock.now() });
    return { status: 200, body: clockView(deps) };
  },

  createFault: ({ body }, deps) => ({ status: 201, body: deps.faults.add(body as FaultRuleCreate) }),
  listFaults: (_input, deps) => ({ status: 200, body: { items: deps.faults.list() } }),
  deleteFaults: (_input, deps) => {
    deps.faults.clear();
    return { status: 204 };
  },
  deleteFault: ({ params }, deps) => (deps.faults.remove(params.faultId!) ? { status: 204 } : { failure: controlErrors.faultNotFound(params.faultId!) }),

  // The SIP side answers these; API-only emulators (`sip: false`) say why they cannot.
  listPbxAccounts: (_input, deps) => withPbx(deps, (pbx) => ({ status: 200, body: { items: pbx.accounts.list() } })),
  putPbxAccount: ({ params, body }, deps) =>
    withPbx(deps, (pbx) => {
      const { password, domain } = body as { password: string; domain?: string };
      deps.logger.info(`PBX account ${params.username} set through the control API (overrides the connection's mirrored credentials)`);
      return { status: 200, body: pbx.accounts.put(params.username!, { password, ...(domain !== undefined ? { domain } : {}) }) };
    }),
  deletePbxAccount: ({ params }, deps) =>
    withPbx(deps, (pbx) => (pbx.accounts.delete(params.username!) ? { status: 204 } : { failure: controlErrors.pbxAccountNotFound(params.username!) })),
  getSipTrace: ({ params }, deps) => {
    if (!deps.sipEnabled) return { failure: controlErrors.sipDisabled() };
    if (!deps.projects.findSipConnection(params.id!)) return { failure: controlErrors.connectionNotFound(params.id!) };
    return { status: 200, body: { items: deps.traces.get(params.id!) ?? [] } };
  },

  createSoftphone: ({ body }, deps) => withCalls(deps, (calls) => calls.createSoftphone(body as SoftphoneCreate), 201),
  listSoftphones: (_input, deps) => withCalls(deps, (calls) => success({ items: calls.listSoftphones() })),
  deleteSoftphone: ({ params }, deps) => withCalls(deps, (calls) => calls.deleteSoftphone(params.username!)),
  createCall: ({ body }, deps) => withCalls(deps, (calls) => calls.createCall(body as CallCreate), 201),
  // Reading calls works without the SIP side: there are simply none.
  listCalls: (_input, deps) => ({ status: 200, body: { items: deps.calls()?.listCalls() ?? [] } }),
  getCall: ({ params }, deps) => {
    const calls = deps.calls();
    if (!calls) return { failure: controlErrors.callNotFound(params.callId!) };
    const result = calls.getCall(params.callId!);
    return result.ok ? { status: 200, body: result.value } : { failure: result.error };
  },
  sendCallDtmf: ({ params, body }, deps) => withCalls(deps, (calls) => calls.sendDtmf(params.callId!, body as CallDtmf), 202),
  sendCallUtterance: ({ params, body }, deps) => withCalls(deps, (calls) => calls.sendUtterance(params.callId!, body as CallUtterance), 202),
  playCallTone: ({ params, body }, deps) => withCalls(deps, (calls) => calls.playTone(params.callId!, body as CallTone), 202),
  hangupCall: ({ params }, deps) => withCalls(deps, (calls) => calls.hangup(params.callId!), 202),
  getCallPcap: ({ params, context }, deps) => {
    const calls = deps.calls();
    if (!calls) return { failure: controlErrors.callNotFound(params.callId!) };
    const result = calls.pcap(params.callId!);
    if (!result.ok) return { failure: result.error };
    return { response: context.body(new Uint8Array(result.value), 200, { 'Content-Type': 'application/vnd.tcpdump.pcap', 'Content-Disposition': `attachment; filename="${params.callId}.pcap"` }) };
  },

  getCallRecording: ({ params, query, context }, deps) => {
    const calls = deps.calls();
    if (!calls) return { failure: controlErrors.callNotFound(params.callId!) };
    const result = calls.recording(params.callId!, query.side as 'caller' | 'callee' | undefined);
    if (!result.ok) return { failure: result.error };
    return { response: context.body(new Uint8Array(result.value), 200, { 'Content-Type': 'audio/wav', 'Content-Disposition': `attachment; filename="${params.callId}.wav"` }) };
  },

  /** Server-sent events: one `data:` line of JSON per emulator event, named by its type. */
  getEvents: ({ context }, deps) => ({
    response: streamSSE(context, async (stream) => {
      const queue: EmulatorEvent[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = deps.events.subscribe((event) => {
        queue.push(event);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ now: deps.clock.now() }) });
      while (!stream.aborted) {
        const event = queue.shift();
        if (event) {
          await stream.writeSSE({ event: event.type, data: JSON.stringify(event) });
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      unsubscribe();
    }),
  }),
};
