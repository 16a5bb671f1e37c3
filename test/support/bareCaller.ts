import { buildSdp, concatPcm, negotiateSdp, parseSdp, promptHeard, RtpSession, type PromptName } from '../../media/index.js';
import { createNetworkTransport, SipStack } from '../../sip/index.js';
import { UserAgent, type InviteResult } from '../../sip/dialog/index.js';

/**
 * A caller built from the SIP and media layers alone (no softphone), for tests of the agent's side
 * that need full control: odd SDP, no RTP, INVITE without an offer. Close it with `close()`.
 */
export async function bareCaller(pbxPort: number, target = 'sip:101@pbx.example') {
  const stack = new SipStack({ transport: await createNetworkTransport({ address: '127.0.0.1', port: 0, protocols: ['UDP'] }) });
  const ua = new UserAgent(stack, { contact: `<sip:caller@${stack.viaHost('UDP')}>` });
  const opened = await RtpSession.open({ address: '127.0.0.1' });
  if (!opened.ok) throw new Error(opened.error.message);
  const rtp = opened.value;
  const frames: Int16Array[] = [];
  rtp.on('audio', (pcm) => frames.push(pcm));
  const ourSdp = () => buildSdp({ address: rtp.localAddress, port: rtp.localPort });

  return {
    rtp,
    ourSdp,
    heard: () => concatPcm(frames),
    /** Sends the INVITE (with `sdp`, or none: then `answer` builds the ACK's SDP from the 200's offer). */
    invite: (sdp: string | undefined, answer?: (offer: string) => string): Promise<InviteResult> =>
      ua.invite({ target, from: 'sip:caller@pbx.example', destination: { protocol: 'UDP', address: '127.0.0.1', port: pbxPort }, ...(sdp !== undefined ? { sdp } : {}), ...(answer ? { answer } : {}) }).result,
    /** Sends RTP to where the agent's SDP answer says. */
    startMedia(answerSdp: string): void {
      rtp.setRemote(remoteOf(answerSdp));
      rtp.startSending();
    },
    /** Resolves once the recording contains the prompt (checked as audio arrives). */
    hears: (prompt: PromptName, timeoutMs = 8000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the caller did not hear the ${prompt} prompt within ${timeoutMs} ms`)), timeoutMs);
        let count = 0;
        const check = () => {
          if (++count % 10 !== 0 || !promptHeard(concatPcm(frames), prompt)) return;
          clearTimeout(timer);
          rtp.off('audio', check);
          resolve();
        };
        rtp.on('audio', check);
      }),
    close: async () => {
      await rtp.stop();
      await stack.close();
    },
  };
}

/** The RTP address and port of an SDP (offer or answer). */
export function remoteOf(sdp: string): { address: string; port: number } {
  const parsed = parseSdp(sdp);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const media = negotiateSdp(parsed.value);
  if (!media.ok) throw new Error(media.error.message);
  return media.value.remote;
}
