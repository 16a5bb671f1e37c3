/** 20 ms of 8 kHz audio: the frame every RtpSession sends (ptime 20, RFC 3551 §4.5). */
export const FRAME_SAMPLES = 160;

/** Audio to send: a whole buffer, or any iterable of 160-sample frames (e.g. a generator). */
export type FrameSource = Int16Array | Iterable<Int16Array>;

/** Cuts a PCM buffer into 160-sample frames; the last one is padded with silence. */
export function* pcmFrames(pcm: Int16Array): Generator<Int16Array> {
  for (let offset = 0; offset < pcm.length; offset += FRAME_SAMPLES) {
    const frame = pcm.subarray(offset, offset + FRAME_SAMPLES);
    if (frame.length === FRAME_SAMPLES) yield frame;
    else {
      const padded = new Int16Array(FRAME_SAMPLES);
      padded.set(frame);
      yield padded;
    }
  }
}

export function framesOf(source: FrameSource): Iterator<Int16Array> {
  return source instanceof Int16Array ? pcmFrames(source) : source[Symbol.iterator]();
}
