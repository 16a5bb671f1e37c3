import { parseDtmfRelay, parseNameAddr, parseUri, type SipMessage, type SipRequest } from '../../sip/index.js';

export type DtmfMode = 'infoOnly' | 'rfc4733Only';

/** How many calls' modes are remembered: a call that never sent BYE is forgotten eventually. */
const REMEMBERED_CALLS = 1000;

/**
 * The `dtmf` quirk, per call (Call-ID), decided when the call's INVITE goes through: the caller's
 * account's quirk, else the callee's.
 *
 * - `infoOnly`: every SDP the PBX relays in the call loses its telephone-event payload types
 *   (RFC 4733 §7), so the phones must press keys with SIP INFO; as an Asterisk with
 *   `dtmfmode=info`, or a Cisco CUCM trunk without an MTP, offers no telephone-event.
 * - `rfc4733Only`: a DTMF INFO (application/dtmf-relay, application/dtmf) in the call is answered
 *   200 by the PBX itself and goes no further, so only RFC 4733 events in the RTP reach the agent;
 *   as an Asterisk with `dtmf_mode=rfc4733` takes and drops SIP INFO.
 */
export class DtmfQuirkCalls {
  private readonly modes = new Map<string, DtmfMode>();

  constructor(private readonly modeFor: (account: string) => DtmfMode | undefined) {}

  /** A new call's INVITE: its mode, remembered for the call's later messages. */
  start(invite: SipRequest): DtmfMode | undefined {
    const caller = parseNameAddr(invite.headers.get('From') ?? '')?.uri.user;
    const callee = parseUri(invite.uri)?.user;
    const mode = (caller === undefined ? undefined : this.modeFor(caller)) ?? (callee === undefined ? undefined : this.modeFor(callee));
    const callId = invite.headers.get('Call-ID');
    if (mode === undefined || callId === undefined) return undefined;
    if (this.modes.size >= REMEMBERED_CALLS) this.modes.delete(this.modes.keys().next().value!);
    this.modes.set(callId, mode);
    return mode;
  }

  modeOf(message: SipMessage): DtmfMode | undefined {
    const callId = message.headers.get('Call-ID');
    return callId === undefined ? undefined : this.modes.get(callId);
  }

  end(callId: string): void {
    this.modes.delete(callId);
  }

  /** Under `infoOnly`, the body the PBX relays: the SDP without telephone-event. Else the body as it is. */
  relayedBody(message: SipMessage): Buffer {
    if (this.modeOf(message) !== 'infoOnly' || message.body.length === 0 || !/application\/sdp/i.test(message.headers.get('Content-Type') ?? '')) return message.body;
    return Buffer.from(stripTelephoneEvent(message.body.toString('utf8')), 'utf8');
  }

  /** Under `rfc4733Only`, whether this request is a DTMF INFO the PBX swallows. */
  swallows(request: SipRequest): boolean {
    return request.method === 'INFO' && this.modeOf(request) === 'rfc4733Only' && parseDtmfRelay(request) !== undefined;
  }
}

/** An SDP without its telephone-event payload types: their rtpmap and fmtp lines, and their numbers in each m= line. */
export function stripTelephoneEvent(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const events = new Set(lines.map((line) => /^a=rtpmap:(\d+)\s+telephone-event\//i.exec(line)?.[1]).filter((pt): pt is string => pt !== undefined));
  if (events.size === 0) return sdp;
  return lines
    .filter((line) => !/^a=(rtpmap|fmtp):(\d+)[\s]/.test(line) || !events.has(/^a=(?:rtpmap|fmtp):(\d+)/.exec(line)![1]!))
    .map((line) => {
      const media = /^(m=\S+\s+\S+\s+\S+)\s+(.*)$/.exec(line);
      if (media === null) return line;
      return `${media[1]} ${media[2]!.split(/\s+/).filter((pt) => !events.has(pt)).join(' ')}`;
    })
    .join(eol);
}
