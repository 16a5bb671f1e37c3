import type { JournalEntry } from '../../emulator/index.js';
import { labelOf, sipEntries } from './parties.js';

const COLUMN = 22;

/** A readable column title: `agent (sipconn_ab…)`, `caller`, `pbx`, or the peer's address. */
function title(party: string): string {
  if (party.startsWith('listener:')) return `agent ${party.slice('listener:'.length, 'listener:'.length + 14)}`;
  if (party.startsWith('softphone:')) return party.slice('softphone:'.length);
  return party;
}

/**
 * A text ladder of the SIP messages of some calls, in the manner of sngrep: one column per party,
 * an arrow per message from sender to receiver with its method or status, time since the first,
 * retransmissions marked `(re)`. Each message is drawn once, as its sender recorded it; a message
 * from outside omnisip is drawn from the receiver's record.
 *
 * @example
 * console.log(renderLadder(entries, ['a84b4c76e66710@pc33']));
 */
export function renderLadder(entries: readonly JournalEntry[], sipCallIds: readonly string[]): string {
  const messages = sipEntries(entries).filter((e) => e.sipCallId !== undefined && sipCallIds.includes(e.sipCallId));
  if (messages.length === 0) return '(no SIP messages in the journal for this call)';
  // Which party listens on which address, from what each party recorded.
  const partyAt = new Map<string, string>();
  for (const m of messages) partyAt.set(m.local, m.party);
  // Over TCP a message leaves from a connection's own port, not the address a party listens on:
  // the same bytes recorded going out at one party and coming in at another are one arrow.
  const receiver = new Map<string, string>();
  const sent = new Set<string>();
  for (const m of messages) if (m.direction === 'in') receiver.set(m.text, m.party);
  else sent.add(m.text);
  const arrows = messages.flatMap((m) => {
    if (m.direction === 'out') return [{ from: m.party, to: partyAt.get(m.remote) ?? receiver.get(m.text) ?? m.remote, entry: m }];
    // A message from outside omnisip has no 'out' record of its own.
    return partyAt.has(m.remote) || sent.has(m.text) ? [] : [{ from: m.remote, to: m.party, entry: m }];
  });
  const columns: string[] = [];
  for (const a of arrows) for (const p of [a.from, a.to]) if (!columns.includes(p)) columns.push(p);
  const start = arrows[0]!.entry.wall;
  const lines = [`${' '.repeat(10)}${columns.map((c) => title(c).slice(0, COLUMN - 2).padEnd(COLUMN)).join('')}`];
  for (const { from, to, entry } of arrows) {
    const a = columns.indexOf(from);
    const b = columns.indexOf(to);
    const left = Math.min(a, b);
    const right = Math.max(a, b);
    const label = `${labelOf(entry)}${entry.retransmission ? ' (re)' : ''}`;
    let row = '';
    for (let c = 0; c < columns.length; c++) {
      if (c < left || c >= right) row += '|'.padEnd(COLUMN);
      else if (c === left) {
        const span = (right - left) * COLUMN - 1;
        const body = `-${label}`.padEnd(span - 1, '-');
        row += a < b ? `|${body}>` : `|<${body}`;
        c = right - 1;
      }
    }
    lines.push(`${((entry.wall - start) / 1000).toFixed(3).padStart(8)}  ${row.trimEnd()}`);
  }
  return lines.join('\n');
}
