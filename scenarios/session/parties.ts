import type { JournalEntry } from '../../emulator/index.js';

type SipEntry = Extract<JournalEntry, { kind: 'sip' }>;

/**
 * The journal's name of a party as a scenario writes it: `pbx`; `agent` (the listener of the
 * scenario's connection, or of `connectionId`); a softphone's user name (`caller`, `200`); or a
 * journal party as it is (`listener:sipconn_…`, `softphone:alice`).
 */
export function resolveParty(name: string, entries: readonly JournalEntry[], connectionId?: string): string {
  if (name === 'pbx' || name.startsWith('listener:') || name.startsWith('softphone:')) return name;
  if (name === 'agent') {
    if (connectionId !== undefined) return `listener:${connectionId}`;
    const listeners = [...new Set(sipEntries(entries).filter((e) => e.stack === 'listener').map((e) => e.party))];
    if (listeners.length === 1) return listeners[0]!;
    if (listeners.length === 0) return 'listener:(none yet)';
    throw new Error(`'agent' is ambiguous: the journal holds several listeners (${listeners.join(', ')}); name one with connection: <id>`);
  }
  return `softphone:${name}`;
}

export function sipEntries(entries: readonly JournalEntry[]): SipEntry[] {
  return entries.filter((e): e is SipEntry => e.kind === 'sip');
}

/** `REGISTER`, `401 REGISTER`: how a scenario names a message. */
export function labelOf(entry: SipEntry): string {
  return entry.method ?? `${entry.status} ${entry.cseq?.split(' ')[1] ?? ''}`.trim();
}

/** Whether a written label (`REGISTER`, `"401"`, `401 REGISTER`) names this message. */
export function labelMatches(written: string | number, entry: SipEntry): boolean {
  const text = String(written).trim().toUpperCase();
  if (entry.method !== undefined) return text === entry.method.toUpperCase();
  const [status, method] = text.split(/\s+/);
  return status === String(entry.status) && (method === undefined || method === entry.cseq?.split(' ')[1]?.toUpperCase());
}
