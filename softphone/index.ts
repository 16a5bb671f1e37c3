// The softphone: a SIP user agent for tests, scenarios and the CLI, built on sip/ and media/.
export { Softphone, type CallOptions, type SoftphoneEvents } from './Softphone.js';
export { SoftphoneCall, type CallAnswer, type CallEnd, type CallEndReason, type CallState, type SoftphoneCallEvents } from './SoftphoneCall.js';
export { checkAutoAnswer, type AutoAnswer, type SoftphoneOptions } from './SoftphoneOptions.js';
export type { CallRtpStats, RtpPacketSeen } from './CallMedia.js';
export { CallRecorder, type RecordedFrameInfo } from './CallRecorder.js';
export { RegistrationError } from './errors.js';
export { loadAudio, parseTone, type LoadedAudio } from './loadAudio.js';
export { runCallScript, type CallScript, type CallScriptResult } from './runCallScript.js';
