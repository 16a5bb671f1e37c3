import { ErrorType, type ApiFailure } from '../core/errors.js';

const failure = (status: number, code: string, type: number, description: string): ApiFailure => ({
  status,
  body: { code, description, type, numericType: type },
});

/** Error templates of the control API (`/_emulator`). Same envelope as the public API. */
export const controlErrors = {
  clockNotVirtual: () =>
    failure(409, 'ClockNotVirtual', ErrorType.Conflict, 'The clock is real, so it cannot be moved. Start the emulator with --clock virtual to control time.'),
  faultNotFound: (id: string) =>
    failure(404, 'FaultNotFound', ErrorType.NotFound, `Fault rule '${id}' does not exist (it may have been used up: rules with 'times' are removed after their last hit). GET /_emulator/faults lists the active rules.`),
  connectionNotFound: (id: string) =>
    failure(404, 'SipConnectionNotFound', ErrorType.NotFound, `SIP connection '${id}' does not exist in any project.`),
  sipDisabled: () =>
    failure(503, 'SipSideDisabled', 0, 'The SIP side (built-in PBX and listeners) is not running in this emulator: it was started API-only. Start it without --no-sip to use the PBX and SIP traces.'),
  pbxAccountNotFound: (username: string) =>
    failure(404, 'PbxAccountNotFound', ErrorType.NotFound, `PBX account '${username}' was not found. GET /_emulator/pbx/accounts lists them; PUT one to create it.`),
  callNotFound: (id: string) =>
    failure(404, 'CallNotFound', ErrorType.NotFound, `Call '${id}' was not found. GET /_emulator/calls lists them (calls are forgotten on reset).`),
  callEnded: (id: string) => failure(409, 'CallEnded', ErrorType.Conflict, `Call '${id}' has ended.`),
  callerNotEmulated: (id: string) =>
    failure(409, 'CallerNotEmulated', ErrorType.Conflict, `Call '${id}' was not placed by an omnisip softphone, so omnisip cannot play audio as its caller. Send an utterance instead.`),
  noAgentOnCall: (id: string) =>
    failure(409, 'NoAgentOnCall', ErrorType.Conflict, `No agent is on call '${id}' right now (it is not a call to a SIP connection, or the agent already handed it off), so there is nobody to hear an utterance.`),
  softphoneNotFound: (username: string) =>
    failure(404, 'SoftphoneNotFound', ErrorType.NotFound, `Softphone '${username}' was not found. GET /_emulator/softphones lists them.`),
  softphoneExists: (username: string) =>
    failure(409, 'SoftphoneExists', ErrorType.Conflict, `A softphone '${username}' already runs. DELETE /_emulator/softphones/${username} first.`),
  softphoneFailed: (username: string, why: string) =>
    failure(409, 'SoftphoneNotRegistered', ErrorType.Conflict, `Softphone '${username}' could not register on the built-in PBX: ${why}`),
  noRecording: (id: string) =>
    failure(409, 'NoRecording', ErrorType.Conflict, `Call '${id}' has no recording: omnisip records what its own softphones hear, and no omnisip softphone was on this call (a call from an outside phone straight to the agent). Place the call with POST /_emulator/calls to record it.`),
  invalidQuery: (description: string) => failure(400, 'ValidationError', ErrorType.Validation, description),
  invalidFault: (description: string) => failure(400, 'ValidationError', ErrorType.Validation, description),
  invalidQuirks: (description: string) => failure(400, 'ValidationError', ErrorType.Validation, `${description}. control-openapi.yaml's PbxQuirks lists each quirk.`),
};
