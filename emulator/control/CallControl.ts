import type { Call, CallCreate, CallDtmf, CallSummary, CallTone, CallUtterance, Softphone, SoftphoneCreate } from '../generated/index.js';
import type { Result } from '../core/result.js';

/**
 * The call plane of the control API (`/_emulator/softphones`, `/_emulator/calls`): softphones
 * inside the emulator, the calls they place or take, and what the listeners' agents did.
 */
export interface CallControl {
  createSoftphone(body: SoftphoneCreate): Promise<Result<Softphone>>;
  listSoftphones(): Softphone[];
  deleteSoftphone(username: string): Promise<Result<void>>;
  createCall(body: CallCreate): Promise<Result<Call>>;
  listCalls(): CallSummary[];
  getCall(id: string): Result<Call>;
  sendDtmf(id: string, body: CallDtmf): Promise<Result<Call>>;
  sendUtterance(id: string, body: CallUtterance): Result<Call>;
  playTone(id: string, body: CallTone): Result<Call>;
  hangup(id: string): Promise<Result<Call>>;
  pcap(id: string): Result<Buffer>;
  /** What the emulator softphone in the call heard, as WAV. */
  recording(id: string, side?: 'caller' | 'callee'): Result<Buffer>;
}
