// The media layer: RTP, G.711, WAV, tones, RFC 4733 DTMF, voice-activity detection, SDP offer/answer.
// It knows nothing of SIP or the API (see DESIGN.md, "Layers").

export type { MediaError, MediaErrorCode, Result } from './errors.js';

export { decodeRtpPacket, encodeRtpPacket } from './rtpPacket.js';
export type { RtpHeaderExtension, RtpPacket, RtpPacketInit } from './rtpPacket.js';

export { RtpSession } from './RtpSession.js';
export type { AudioFrameInfo, RtpEndpoint, RtpImpairment, RtpPacketTap, RtpSessionEvents, RtpSessionOptions, RtpSessionStats } from './RtpSession.js';
export type { DtmfSendOptions, PlayOutcome } from './RtpSender.js';
export type { ReceivedPacketKind, RtpReceiveStats } from './RtpReceiverStatistics.js';
export { FRAME_SAMPLES, pcmFrames } from './frameSource.js';
export type { FrameSource } from './frameSource.js';
export { realMediaClock } from './MediaClock.js';
export type { MediaClock } from './MediaClock.js';
export { FakeMediaClock } from './FakeMediaClock.js';

export { PCMA, PCMU, findG711Codec } from './g711.js';
export type { G711Codec } from './g711.js';
export { takePcmFrame } from './pcmFrames.js';

export { readWav, readWavFile, writeWav, writeWavFile } from './wav.js';
export type { DecodedWav, WavSourceFormat } from './wav.js';
export { resample } from './resample.js';

export { DTMF_FREQUENCIES, RINGBACK_FREQUENCIES, SAMPLE_RATE, concatPcm, dtmfTone, multiTone, silence, sine } from './tones.js';
export type { ToneOptions } from './tones.js';
export { goertzel } from './goertzel.js';
export { rmsDbfs } from './rmsDbfs.js';

export { decodeTelephoneEvent, digitToEvent, encodeTelephoneEvent, eventToDigit } from './telephoneEvent.js';
export type { TelephoneEvent } from './telephoneEvent.js';
export { END_PACKET_COPIES, planTelephoneEvent } from './telephoneEventSender.js';
export type { PlannedTelephoneEventPacket, TelephoneEventPlanOptions } from './telephoneEventSender.js';
export { TelephoneEventReceiver } from './TelephoneEventReceiver.js';
export type { DtmfDigit } from './TelephoneEventReceiver.js';

export { THRESHOLD_0_DBFS, THRESHOLD_1_DBFS, VoiceActivityDetector, thresholdToDbfs } from './VoiceActivityDetector.js';
export type { TurnDetection, VadEvent } from './VoiceActivityDetector.js';

export { PROMPT_FREQUENCIES, identifyPrompts, promptHeard, prompts } from './prompts.js';
export type { PromptName } from './prompts.js';

export { buildSdp } from './buildSdp.js';
export type { SdpBuildOptions } from './buildSdp.js';
export { parseSdp } from './parseSdp.js';
export type { MediaDirection, SdpAudio, SdpCodec } from './parseSdp.js';
export { answerSdp, negotiateSdp } from './negotiateSdp.js';
export type { LocalMediaCapabilities, NegotiatedMedia } from './negotiateSdp.js';
