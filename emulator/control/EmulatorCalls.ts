import type { Call, CallCreate, CallDtmf, CallSummary, CallTone, CallUtterance, Softphone, SoftphoneCreate } from '../generated/index.js';
import type { CallRecord, Calls } from '../core/calls.js';
import { failed, success, type Result } from '../core/result.js';
import type { AgentCallHandle } from '../listener/calls/AgentCall.js';
import type { CallControl } from './CallControl.js';
import { callSummary, callView } from './callView.js';
import { controlErrors } from './errors.js';
import { writePcap } from './pcap.js';
import { writeWav } from '../../media/index.js';
import type { SoftphoneFleet } from './SoftphoneFleet.js';

/**
 * The control API's call plane: reads the call registry, and acts on a call through whichever
 * end the emulator holds: its own softphone (the caller's real DTMF, tones, hangup) or the agent
 * (utterances, and DTMF from callers it does not control).
 */
export class EmulatorCalls implements CallControl {
  constructor(
    private readonly registry: Calls,
    private readonly agentCalls: Map<string, AgentCallHandle>,
    private readonly softphones: SoftphoneFleet,
  ) {}

  createSoftphone(body: SoftphoneCreate): Promise<Result<Softphone>> {
    return this.softphones.create(body);
  }

  listSoftphones(): Softphone[] {
    return this.softphones.list();
  }

  deleteSoftphone(username: string): Promise<Result<void>> {
    return this.softphones.delete(username);
  }

  async createCall(body: CallCreate): Promise<Result<Call>> {
    const placed = await this.softphones.call(body.from, body.to, body.transport);
    return placed.ok ? success(callView(placed.value)) : placed;
  }

  listCalls(): CallSummary[] {
    return this.registry.list().map(callSummary);
  }

  getCall(id: string): Result<Call> {
    const record = this.registry.get(id);
    if (!record) return failed(controlErrors.callNotFound(id));
    this.agentCalls.get(id)?.refreshStats();
    return success(callView(record));
  }

  async sendDtmf(id: string, body: CallDtmf): Promise<Result<Call>> {
    return this.act(id, async (record) => {
      const leg = this.softphones.leg(record.id);
      // The agent may have answered a moment before our softphone has the 200: keys wait for it.
      if (leg) await leg.answered.then(() => leg.sendDtmf(body.digits.toUpperCase(), body.method ?? 'rfc4733'));
      else if (this.agentCalls.has(record.id)) this.agentCalls.get(record.id)!.dtmf(body.digits.toUpperCase());
      else return failed(controlErrors.callerNotEmulated(id));
      return success(undefined);
    });
  }

  sendUtterance(id: string, body: CallUtterance): Result<Call> {
    const record = this.registry.get(id);
    if (!record) return failed(controlErrors.callNotFound(id));
    if (record.state === 'ended') return failed(controlErrors.callEnded(id));
    const agent = this.agentCalls.get(id);
    if (!agent) return failed(controlErrors.noAgentOnCall(id));
    agent.utterance(body.text);
    return success(callView(record));
  }

  playTone(id: string, body: CallTone): Result<Call> {
    const record = this.registry.get(id);
    if (!record) return failed(controlErrors.callNotFound(id));
    if (record.state === 'ended') return failed(controlErrors.callEnded(id));
    const leg = this.softphones.leg(id);
    if (!leg) return failed(controlErrors.callerNotEmulated(id));
    void leg.answered.then(() => leg.playTone(body.frequency, body.durationMs, body.amplitude ?? 0.5));
    return success(callView(record));
  }

  async hangup(id: string): Promise<Result<Call>> {
    return this.act(id, async (record) => {
      const leg = this.softphones.leg(record.id);
      if (leg) await leg.hangup();
      else if (this.agentCalls.has(record.id)) await this.agentCalls.get(record.id)!.hangup();
      else return failed(controlErrors.callerNotEmulated(id));
      return success(undefined);
    });
  }

  pcap(id: string): Result<Buffer> {
    const record = this.registry.get(id);
    if (!record) return failed(controlErrors.callNotFound(id));
    return success(writePcap(this.registry.captured(record.callId)));
  }

  recording(id: string, side?: 'caller' | 'callee'): Result<Buffer> {
    const record = this.registry.get(id);
    if (!record) return failed(controlErrors.callNotFound(id));
    const pcm = this.softphones.recording(id, side);
    if (!pcm) return failed(controlErrors.callerNotEmulated(id));
    return success(Buffer.from(writeWav(pcm)));
  }

  private async act(id: string, action: (record: CallRecord) => Promise<Result<void>>): Promise<Result<Call>> {
    const record = this.registry.get(id);
    if (!record) return failed(controlErrors.callNotFound(id));
    if (record.state === 'ended') return failed(controlErrors.callEnded(id));
    const done = await action(record);
    return done.ok ? success(callView(record)) : done;
  }
}
