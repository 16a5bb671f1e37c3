import type { JournalEntrySchema } from '../emulator/generated/index.js';

/**
 * A journal entry as the control API sends it (`JournalEntry` in control-openapi.yaml): `seq`,
 * `at`, `wall` and `kind` always, the rest by kind. The fields the dashboard reads are named
 * here; control-openapi.yaml's description of JournalEntry lists them all.
 */
export type Entry = JournalEntrySchema & {
  // api
  api?: 'public' | 'control';
  method?: string;
  path?: string;
  query?: string;
  operationId?: string;
  apiKey?: string;
  request?: { contentType?: string; body?: unknown };
  response?: { status: number; headers: Record<string, string>; body?: unknown; bodyDropped?: number };
  durationMs?: number;
  // sip
  party?: string;
  direction?: 'in' | 'out';
  transport?: string;
  local?: string;
  remote?: string;
  sipCallId?: string;
  status?: number | { lifecycleStatus: string; sipStatus: string | null; message: string | null; lastRefreshed: number };
  reason?: string | null;
  cseq?: string;
  retransmission?: boolean;
  text?: string;
  // events
  connectionId?: string | null;
  callId?: string;
  error?: { timestamp: string; message: string; code: number };
  event?: string;
  from?: string;
  to?: string;
  state?: string;
  topic?: string;
  heard?: string;
  said?: string;
  why?: string;
  digit?: string;
  heardBy?: string;
  phase?: string;
  target?: string;
  account?: string | null;
  quirk?: string;
  contact?: string;
  change?: string;
  faultId?: string;
  subject?: Record<string, string>;
  byMs?: number;
  now?: number;
  code?: number;
  message?: string;
};

/** A SIP message entry, narrowed. */
export type SipEntry = Entry & { kind: 'sip'; party: string; direction: 'in' | 'out'; local: string; remote: string; text: string };

export const isSip = (entry: Entry): entry is SipEntry => entry.kind === 'sip';

/** The one-line summary of any entry, as the journal list shows it. */
export function summarize(entry: Entry): string {
  switch (entry.kind) {
    case 'api':
      return `${entry.method} ${entry.path}${entry.query ? `?${entry.query}` : ''} → ${entry.response?.status}`;
    case 'sip':
      return `${entry.party} ${entry.direction === 'out' ? '→' : '←'} ${entry.remote}: ${firstLine(entry.text ?? '')}${entry.retransmission ? ' (retransmission)' : ''}`;
    case 'connection.status': {
      const s = entry.status as { lifecycleStatus: string; sipStatus: string | null; message: string | null };
      return `${entry.connectionId}: ${s.lifecycleStatus}${s.sipStatus ? `/${s.sipStatus}` : ''} (${entry.event})${s.message ? `: ${s.message}` : ''}`;
    }
    case 'connection.error':
      return `${entry.connectionId}: ${entry.error?.code} ${entry.error?.message}`;
    case 'connection.deleted':
      return `${entry.connectionId} deleted`;
    case 'registration':
      return `${entry.connectionId}: ${entry.phase}${entry.code ? ` ${entry.code}` : ''}${entry.message ? ` ${entry.message}` : ''}`;
    case 'pbx.binding':
      return `${entry.account}: ${entry.change} ${entry.contact} (${entry.transport})`;
    case 'pbx.quirk':
      return `${entry.account ?? 'PBX'}: quirk ${entry.quirk}: ${entry.text}`;
    case 'call.state':
      return `${entry.callId} ${entry.from} → ${entry.to}: ${entry.state}${entry.reason ? ` (${entry.reason})` : ''}`;
    case 'call.note':
      return `${entry.callId}: ${entry.text}`;
    case 'agent.turn':
      return `${entry.callId}: ${entry.heard !== undefined ? `heard ${entry.heard}` : `says ${entry.said}${entry.why ? ` (${entry.why})` : ''}`}`;
    case 'dtmf':
      return `${entry.callId}: DTMF ${entry.digit} (${entry.method}) heard by ${entry.heardBy}`;
    case 'transfer':
      return `${entry.callId}: ${entry.text}`;
    case 'fault.fired':
      return `fault ${entry.faultId} (${entry.target}) ${(entry as { action?: string }).action}: ${Object.entries(entry.subject ?? {}).map(([k, v]) => `${k}=${v}`).join(' ')}`;
    case 'clock.advanced':
      return `clock +${entry.byMs} ms → ${new Date(entry.now ?? 0).toISOString()}`;
    default:
      return entry.kind;
  }
}

export function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return (end === -1 ? text : text.slice(0, end)).trim();
}
