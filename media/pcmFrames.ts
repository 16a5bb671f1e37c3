/**
 * Decoded audio frames as views into shared slabs, the way `Buffer.allocUnsafe` pools small
 * buffers: a typed array of its own is an off-heap allocation that V8 tracks and frees only in a
 * collection, and one per received 20 ms frame (10,000 a second with 200 calls) made it run full
 * collections every second or so, pausing every call's audio (bench/calls). A frame handed out is
 * never handed out again, so a listener may keep it (a recorder does); a kept frame keeps its
 * 16 KiB slab alive, as a kept pooled Buffer keeps its 8 KiB pool.
 */
const SLAB_SAMPLES = 8192;

let slab = new Int16Array(SLAB_SAMPLES);
let used = 0;

/** A frame of `samples` samples, for the caller to fill completely (its contents are unspecified). */
export function takePcmFrame(samples: number): Int16Array {
  if (samples > SLAB_SAMPLES / 4) return new Int16Array(samples);
  if (used + samples > SLAB_SAMPLES) {
    slab = new Int16Array(SLAB_SAMPLES);
    used = 0;
  }
  const frame = slab.subarray(used, used + samples);
  used += samples;
  return frame;
}
