import type { SipTraceEntry } from '../sip/index.js';

/** One SIP message or RTP packet as the softphone sent or received it: for call timelines and pcap. */
export interface CapturedPacket {
  /** Wall-clock ms. */
  at: number;
  kind: 'sip' | 'rtp';
  direction: 'in' | 'out';
  protocol: 'UDP' | 'TCP';
  local: { address: string; port: number };
  remote: { address: string; port: number };
  data: Buffer;
  /** The SIP Call-ID the packet belongs to, when known (a REGISTER has its own). */
  callId?: string;
}

/** A SIP trace entry of the stack as a captured packet, with the Call-ID read from its headers. */
export function captureSip(entry: SipTraceEntry): CapturedPacket {
  const callId = sipCallId(entry.data);
  return {
    at: entry.at,
    kind: 'sip',
    direction: entry.direction,
    protocol: entry.local.protocol,
    local: { address: entry.local.address, port: entry.local.port },
    remote: { address: entry.remote.address, port: entry.remote.port },
    data: entry.data,
    ...(callId === undefined ? {} : { callId }),
  };
}

/** The Call-ID (or compact `i`) header of a SIP message's bytes, without parsing the whole message. */
export function sipCallId(data: Buffer): string | undefined {
  const end = data.indexOf('\r\n\r\n');
  const head = data.toString('latin1', 0, end === -1 ? Math.min(data.length, 8192) : end);
  return /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/im.exec(head)?.[1];
}
