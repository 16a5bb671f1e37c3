import { performance } from 'node:perf_hooks';
import { buildSdp, negotiateSdp, parseSdp, RtpSession } from '../../media/index.js';
import type { Dialog, UserAgent } from '../../sip/index.js';

/** Reception counters of one call at one instant, for differences over a measured window. */
export interface ReceptionMark {
  expected: number;
  lost: number;
  skippedFrames: number;
}

export type PlaceCallResult = { ok: true; call: BenchCall } | { ok: false; reason: string };

/**
 * One caller of the concurrent-call benchmark: an INVITE with SDP through the PBX, then G.711
 * frames both ways until `hangUp()`. While `measuring`, every audio packet's inter-arrival
 * deviation |D(i-1, i)| (RFC 3550 §6.4.1) goes to `onDeviation`, so that the caller process can
 * keep one distribution over all calls instead of a p99 per call.
 */
export class BenchCall {
  measuring = false;
  /** The previous audio packet's arrival and RTP timestamp; NaN arrival before the first. */
  private lastArrivalMs = NaN;
  private lastTimestamp = 0;

  private constructor(
    private readonly dialog: Dialog,
    private readonly rtp: RtpSession,
    /** INVITE sent → 200 OK received, in ms. */
    readonly setupMs: number,
    onDeviation: (ms: number) => void,
  ) {
    // The encoded frames: timing needs no samples, and decoding them would only add to the callers' load.
    rtp.on('payload', (_payload, _codec, info) => {
      const previousArrivalMs = this.lastArrivalMs;
      const previousTimestamp = this.lastTimestamp;
      // Two numbers, not an object per packet: the callers' own garbage collections would show as jitter.
      this.lastArrivalMs = info.arrivalMs;
      this.lastTimestamp = info.timestamp;
      if (!this.measuring || Number.isNaN(previousArrivalMs)) return;
      // 8 timestamp units per ms at 8 kHz.
      onDeviation(Math.abs(info.arrivalMs - previousArrivalMs - (info.timestamp - previousTimestamp) / 8));
    });
  }

  static async place(ua: UserAgent, options: { uri: string; from: string; pbx: { address: string; port: number }; onDeviation: (ms: number) => void }): Promise<PlaceCallResult> {
    const opened = await RtpSession.open({ address: '127.0.0.1' });
    if (!opened.ok) return { ok: false, reason: `no RTP socket: ${opened.error.message}` };
    const rtp = opened.value;
    const started = performance.now();
    const result = await ua.invite({
      target: options.uri,
      from: options.from,
      destination: { protocol: 'UDP', ...options.pbx },
      sdp: buildSdp({ address: rtp.localAddress, port: rtp.localPort }),
    }).result;
    const setupMs = performance.now() - started;
    if (!result.ok) {
      await rtp.stop();
      return { ok: false, reason: `${result.status} ${result.reason}` };
    }
    const answer = parseSdp(result.response.body.toString('utf8'));
    const media = answer.ok ? negotiateSdp(answer.value) : answer;
    if (!media.ok) {
      await result.dialog.bye();
      await rtp.stop();
      return { ok: false, reason: `unusable SDP answer: ${media.error.message}` };
    }
    rtp.setRemote(media.value.remote);
    rtp.startSending();
    return { ok: true, call: new BenchCall(result.dialog, rtp, setupMs, options.onDeviation) };
  }

  /** The local port the agent's audio arrives on. */
  get rtpPort(): number {
    return this.rtp.localPort;
  }

  mark(): ReceptionMark {
    const stats = this.rtp.stats();
    return { expected: stats.packetsExpected, lost: stats.packetsLost, skippedFrames: stats.skippedFrames };
  }

  /** RFC 3550 interarrival jitter J of the agent's stream, in ms, and the session's own p99 of |D|. */
  jitter(): { jitterMs: number; deviationP99Ms: number } {
    const stats = this.rtp.stats();
    return { jitterMs: stats.jitterMs, deviationP99Ms: stats.interarrivalDeviationMs.p99 };
  }

  async hangUp(): Promise<void> {
    await this.dialog.bye();
    await this.rtp.stop();
  }
}
