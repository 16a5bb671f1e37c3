import { firstLine, isSip, type Entry, type SipEntry } from '../entries.js';
import { bodySummary } from './sdpSummary.js';

/** One column of the ladder: a SIP stack of the emulator (`pbx`, `listener:<id>`, `softphone:<user>`) or an outside address. */
export interface LadderColumn {
  /** The journal's `party`, or `addr:<host:port>` for a peer outside the emulator. */
  party: string;
  /** What the header says: caller, PBX, agent, 200, or the address. */
  label: string;
  /** The party in full, and its address. */
  detail: string;
}

export interface LadderArrow {
  type: 'arrow';
  seq: number;
  /** Wall-clock ms. */
  wall: number;
  from: number;
  to: number;
  /** The method, or the status and reason. */
  label: string;
  cseq: string | undefined;
  /** SDP (codec, address:port) or sipfrag summary. */
  body: string | undefined;
  retransmission: boolean;
  transport: string;
  entry: SipEntry;
}

export interface LadderEvent {
  type: 'event';
  seq: number;
  wall: number;
  /** The column the event happened at, or -1 for the call as a whole. */
  column: number;
  tone: 'agent' | 'caller' | 'dtmf' | 'state' | 'transfer' | 'note' | 'error';
  text: string;
  entry: Entry;
}

export type LadderRow = LadderArrow | LadderEvent;

export interface Ladder {
  columns: LadderColumn[];
  rows: LadderRow[];
}

/** Column order: the caller, the PBX, the agent's listener, then the other phones (the transfer target), then outsiders. */
function rank(party: string, caller: string | undefined): number {
  if (party === caller) return 0;
  if (party === 'pbx') return 1;
  if (party.startsWith('listener:')) return 2;
  if (party.startsWith('softphone:')) return 3;
  return 4;
}

function columnOf(party: string, caller: string | undefined, local: string | undefined): LadderColumn {
  const where = local ? ` · ${local}` : '';
  if (party === 'pbx') return { party, label: 'PBX', detail: `built-in PBX${where}` };
  if (party.startsWith('listener:')) return { party, label: 'agent', detail: `listener ${party.slice('listener:'.length)}${where}` };
  if (party.startsWith('softphone:')) {
    const user = party.slice('softphone:'.length);
    return { party, label: party === caller && user !== 'caller' ? `caller ${user}` : user, detail: `softphone ${user}${where}` };
  }
  const address = party.slice('addr:'.length);
  return { party, label: address, detail: `outside the emulator: ${address}` };
}

/**
 * A call's SIP ladder, in the manner of sngrep, from its journal entries (the call's, and those
 * of the call its transfer placed): one column per party, one arrow per message, and the
 * agent's turns, DTMF, transfer and state changes on the same time line.
 *
 * Every stack of the emulator journals what it sends and what it receives, so a message between
 * two of them is there twice. The sender's entry makes the arrow; the receiver's is left out,
 * unless the sender is outside the emulator (a desk phone), whose messages only have an `in`.
 */
export function buildLadder(entries: readonly Entry[]): Ladder {
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  const sip = sorted.filter(isSip);
  const partyAt = new Map<string, string>();
  for (const entry of sip) partyAt.set(entry.local, entry.party);
  const addressOf = new Map<string, string>();
  for (const entry of sip) if (!addressOf.has(entry.party)) addressOf.set(entry.party, entry.local);

  // Over TCP a message leaves from a connection's own port, not the address a party listens on:
  // the same bytes recorded going out at one party and coming in at another are one arrow.
  const receiver = new Map<string, string>();
  const sent = new Set<string>();
  for (const entry of sip) if (entry.direction === 'in') receiver.set(entry.text, entry.party);
  else sent.add(entry.text);

  const messages: Array<{ entry: SipEntry; from: string; to: string }> = [];
  for (const entry of sip) {
    const peer = partyAt.get(entry.remote);
    if (entry.direction === 'out') messages.push({ entry, from: entry.party, to: peer ?? receiver.get(entry.text) ?? `addr:${entry.remote}` });
    else if (peer === undefined && !sent.has(entry.text)) messages.push({ entry, from: `addr:${entry.remote}`, to: entry.party });
  }
  const caller = messages.find((m) => m.entry.method === 'INVITE')?.from;

  const parties: string[] = [];
  const see = (party: string) => parties.includes(party) || parties.push(party);
  for (const { from, to } of messages) {
    see(from);
    see(to);
  }
  // Events name their party too (an agent turn happens at the listener even when no SIP is kept).
  for (const entry of sorted) {
    const party = eventParty(entry);
    if (party) see(party);
  }
  const order = parties.map((party, i) => ({ party, i })).sort((a, b) => rank(a.party, caller) - rank(b.party, caller) || a.i - b.i).map((p) => p.party);
  const columns = order.map((party) => columnOf(party, caller, addressOf.get(party)));
  const index = new Map(order.map((party, i) => [party, i]));

  const rows: LadderRow[] = [];
  let m = 0;
  for (const entry of sorted) {
    if (entry.kind === 'sip') {
      const message = messages[m];
      if (message?.entry !== entry) continue;
      m++;
      const { text } = message.entry;
      rows.push({
        type: 'arrow',
        seq: entry.seq,
        wall: entry.wall,
        from: index.get(message.from)!,
        to: index.get(message.to)!,
        label: entry.method ?? (typeof entry.status === 'number' ? `${entry.status} ${entry.reason ?? ''}`.trim() : firstLine(text)),
        cseq: entry.cseq,
        body: bodySummary(text),
        retransmission: entry.retransmission === true,
        transport: entry.transport ?? '',
        entry: message.entry,
      });
      continue;
    }
    const event = describeEvent(entry);
    if (!event) continue;
    const party = eventParty(entry);
    rows.push({ type: 'event', seq: entry.seq, wall: entry.wall, column: party === undefined ? -1 : index.get(party)!, ...event, entry });
  }
  return { columns, rows };
}

/** Where an event happened: the agent's listener, a softphone, or (undefined) the call as a whole. */
function eventParty(entry: Entry): string | undefined {
  const listener = entry.connectionId ? `listener:${entry.connectionId}` : undefined;
  switch (entry.kind) {
    case 'agent.turn':
    case 'transfer':
      return listener;
    case 'dtmf':
      return entry.heardBy === 'agent' ? listener : entry.heardBy;
    case 'call.note': {
      const softphone = /^softphone ([^:]+):/.exec(entry.text ?? '')?.[1];
      return softphone ? `softphone:${softphone}` : listener;
    }
    default:
      return undefined;
  }
}

function describeEvent(entry: Entry): Pick<LadderEvent, 'tone' | 'text'> | undefined {
  switch (entry.kind) {
    case 'agent.turn':
      return entry.heard !== undefined ? { tone: 'caller', text: `heard: ${entry.heard}` } : { tone: 'agent', text: `says ${entry.said}${entry.why ? ` (${entry.why})` : ''}` };
    case 'dtmf':
      return { tone: 'dtmf', text: `DTMF ${entry.digit}${entry.method === 'info' ? ' (INFO)' : ''}` };
    case 'transfer':
      return { tone: entry.phase === 'failed' ? 'error' : 'transfer', text: entry.text ?? `transfer ${entry.phase}` };
    case 'call.state':
      return { tone: 'state', text: `${entry.from} → ${entry.to}: ${entry.state}${entry.reason ? ` (${entry.reason})` : ''}` };
    case 'call.note':
      // SIP notes repeat what the arrows show; the others (codec, tones, errors, transfers) do not.
      if (entry.topic === 'sip') return undefined;
      return { tone: entry.topic === 'error' ? 'error' : entry.topic === 'transfer' ? 'transfer' : 'note', text: (entry.text ?? '').replace(/^softphone [^:]+: /, '') };
    default:
      return undefined;
  }
}
