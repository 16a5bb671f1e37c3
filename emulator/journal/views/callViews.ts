import type { CapturedPacket } from '../../core/calls.js';
import type { JournalEntry, SipEntry } from '../entries.js';

/** One line of a call's timeline, as the control API shows it. */
export interface TimelineItem {
  seq: number;
  /** Wall-clock ms: calls run in real time. */
  at: number;
  kind: 'sip' | 'state' | 'agent' | 'caller' | 'media' | 'transfer' | 'error';
  text: string;
}

/**
 * A call's timeline from its journal entries: state changes, what the agent and the softphones
 * noted, turns, DTMF and the transfer, in order. Pass the entries of the call (journal filter
 * `callIds: [id, sipCallId]`).
 */
export function callTimeline(entries: readonly JournalEntry[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  const add = (entry: JournalEntry, kind: TimelineItem['kind'], text: string) => items.push({ seq: entry.seq, at: Math.floor(entry.wall), kind, text });
  // The agent's turn for a key says `DTMF 5` right after the key's own line does: one line is enough.
  let keyLine: string | undefined;
  for (const entry of entries) {
    const key = keyLine;
    keyLine = undefined;
    switch (entry.kind) {
      case 'call.state':
        add(entry, 'state', entry.reason ? `${entry.state} (${entry.reason})` : entry.state);
        break;
      case 'call.note':
        add(entry, entry.topic, entry.text);
        break;
      case 'agent.turn':
        if (entry.heard !== undefined && entry.heard !== key) add(entry, 'caller', entry.heard);
        if (entry.said !== undefined) add(entry, 'agent', `says ${entry.said}${entry.why ? ` (${entry.why})` : ''}`);
        break;
      case 'dtmf':
        if (entry.heardBy === 'agent') keyLine = `DTMF ${entry.digit}`;
        add(entry, entry.heardBy === 'agent' ? 'caller' : 'media', entry.heardBy === 'agent' ? `${entry.method === 'info' ? 'INFO ' : ''}DTMF ${entry.digit}` : `${entry.heardBy}: heard DTMF ${entry.digit}`);
        break;
      case 'transfer':
        add(entry, entry.phase === 'failed' ? 'error' : 'transfer', entry.text);
        break;
      default:
        break;
    }
  }
  return items;
}

const endpointOf = (hostPort: string): { address: string; port: number } => {
  const colon = hostPort.lastIndexOf(':');
  return { address: hostPort.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(hostPort.slice(colon + 1)) };
};

/**
 * The SIP messages of a call as packets for a pcap, each once. Every stack of the emulator records
 * what it sends and receives, so a message between two of them (a listener and the PBX) is in the
 * journal twice; it is kept as sent, and a received message is kept only when it came from outside.
 * The text is the journal's, so digest responses stay redacted in the pcap too.
 */
export function sipPackets(entries: readonly JournalEntry[]): CapturedPacket[] {
  const sip = entries.filter((e): e is SipEntry => e.kind === 'sip');
  const ours = new Set(sip.filter((e) => e.direction === 'out').map((e) => e.local));
  const packets: CapturedPacket[] = [];
  for (const entry of sip) {
    if (entry.direction === 'in' && ours.has(entry.remote)) continue;
    const local = endpointOf(entry.local);
    const remote = endpointOf(entry.remote);
    packets.push({
      at: entry.wall,
      protocol: entry.transport,
      source: entry.direction === 'out' ? local : remote,
      destination: entry.direction === 'out' ? remote : local,
      payload: Buffer.from(entry.text, 'utf8'),
    });
  }
  return packets;
}
