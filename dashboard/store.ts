import { useEffect, useState } from 'preact/hooks';
import type { CallSummary, Clock, FaultRule, Health, PbxAccount, Project, ProjectSipConnection } from '../emulator/generated/index.js';
import { ApiError, get } from './api.js';
import type { Entry } from './entries.js';

/** Everything the views show, kept current from the event stream. Replaced, never changed in place. */
export interface DashboardState {
  live: 'connecting' | 'live' | 'reconnecting';
  health: Health | null;
  clock: Clock | null;
  projects: Project[];
  /** Null when the emulator runs without its SIP side (`--no-sip`). */
  pbx: PbxAccount[] | null;
  faults: FaultRule[];
  calls: CallSummary[];
  /** The latest journal entries, oldest first (at most `journalKept`). */
  journal: Entry[];
  /** The latest entry applied. */
  lastSeq: number;
  /** Bumped on each batch of entries, for views that follow one call or one filter. */
  version: number;
  error: string | null;
}

const journalKept = 3000;
const kinds = ['api', 'sip', 'connection.status', 'connection.error', 'connection.deleted', 'registration', 'pbx.binding', 'pbx.quirk', 'call.state', 'call.note', 'agent.turn', 'dtmf', 'transfer', 'fault.fired', 'clock.advanced', 'emulator.reset', 'emulator.started'];
type Part = 'projects' | 'pbx' | 'faults' | 'calls' | 'clock';

let state: DashboardState = { live: 'connecting', health: null, clock: null, projects: [], pbx: null, faults: [], calls: [], journal: [], lastSeq: 0, version: 0, error: null };
const subscribers = new Set<(s: DashboardState) => void>();
const entryListeners = new Set<(entries: Entry[]) => void>();
/** The latest status each connection reported, with its seq: applied over a project list older than it. */
const statuses = new Map<string, { seq: number; status: ProjectSipConnection['status'] }>();
/** The journal position the project list in the state was read at. */
let projectsSeq = 0;

function set(patch: Partial<DashboardState>): void {
  state = { ...state, ...patch };
  subscribers.forEach((s) => s(state));
}

export function useDashboard(): DashboardState {
  const [value, setValue] = useState(state);
  useEffect(() => {
    subscribers.add(setValue);
    setValue(state);
    return () => void subscribers.delete(setValue);
  }, []);
  return value;
}

/** Calls `listener` with each batch of new journal entries; returns the unsubscribe function. */
export function onEntries(listener: (entries: Entry[]) => void): () => void {
  entryListeners.add(listener);
  return () => void entryListeners.delete(listener);
}

const loaders: Record<Part, () => Promise<Partial<DashboardState>>> = {
  projects: async () => {
    const list = await get<{ items: Project[]; lastSeq: number }>('/_emulator/projects');
    projectsSeq = list.lastSeq;
    return { projects: withStatuses(list.items) };
  },
  pbx: async () => {
    try {
      return { pbx: (await get<{ items: PbxAccount[] }>('/_emulator/pbx/accounts')).items };
    } catch (error) {
      if (error instanceof ApiError && error.code === 'SipSideDisabled') return { pbx: null };
      throw error;
    }
  },
  faults: async () => ({ faults: (await get<{ items: FaultRule[] }>('/_emulator/faults')).items }),
  calls: async () => ({ calls: (await get<{ items: CallSummary[] }>('/_emulator/calls')).items }),
  clock: async () => ({ clock: await get<Clock>('/_emulator/clock'), health: await get<Health>('/_emulator/health') }),
};

/** Each part reloads at most once at a time; a change during a load asks for one more. */
const loading = new Map<Part, 'running' | 'again'>();
export function reload(part: Part): void {
  if (loading.has(part)) return void loading.set(part, 'again');
  loading.set(part, 'running');
  loaders[part]()
    .then(set, (error: unknown) => set({ error: `Could not read ${part}: ${(error as Error).message}` }))
    .finally(() => {
      const again = loading.get(part) === 'again';
      loading.delete(part);
      if (again) reload(part);
    });
}

/** The project list with each connection's status from the event stream, where that is newer than the list. */
function withStatuses(projects: Project[]): Project[] {
  const newer = (id: string) => {
    const known = statuses.get(id);
    return known && known.seq > projectsSeq ? known.status : undefined;
  };
  return projects.map((p) => {
    if (!p.sipConnections.some((c) => newer(c.id) && newer(c.id) !== c.status)) return p;
    return { ...p, sipConnections: p.sipConnections.map((c) => { const status = newer(c.id); return status && status !== c.status ? { ...c, status } : c; }) };
  });
}

/** Applies a batch of entries: statuses at once, other changes by reloading what they touched. */
function apply(batch: Entry[]): void {
  const fresh = batch.filter((e) => e.seq > state.lastSeq);
  if (!fresh.length) return;
  const stale = new Set<Part>();
  let statusChanged = false;
  let clock = state.clock;
  for (const e of fresh) {
    switch (e.kind) {
      case 'connection.status':
        statuses.set(e.connectionId!, { seq: e.seq, status: e.status as ProjectSipConnection['status'] });
        statusChanged = true;
        break;
      case 'connection.error':
      case 'connection.deleted':
        stale.add('projects');
        break;
      case 'pbx.binding':
        stale.add('pbx');
        break;
      case 'call.state':
      case 'transfer':
        stale.add('calls');
        break;
      case 'fault.fired':
        stale.add('faults');
        break;
      case 'clock.advanced':
        if (clock) clock = { ...clock, now: e.now! };
        stale.add('clock');
        break;
      case 'emulator.reset':
        statuses.clear();
        (['projects', 'pbx', 'faults', 'calls', 'clock'] as Part[]).forEach((p) => stale.add(p));
        break;
      case 'api':
        if (e.method !== 'GET' && (e.response?.status ?? 500) < 400) for (const part of partsChangedBy(e.path ?? '')) stale.add(part);
        break;
      default:
        break;
    }
  }
  const journal = state.journal.length + fresh.length > journalKept ? [...state.journal, ...fresh].slice(-journalKept) : [...state.journal, ...fresh];
  set({ journal, lastSeq: fresh[fresh.length - 1]!.seq, version: state.version + 1, clock, ...(statusChanged && { projects: withStatuses(state.projects) }) });
  stale.forEach(reload);
  entryListeners.forEach((l) => l(fresh));
}

function partsChangedBy(path: string): Part[] {
  if (path.startsWith('/public/')) return ['projects'];
  if (path.startsWith('/_emulator/faults')) return ['faults'];
  if (path.startsWith('/_emulator/pbx') || path.startsWith('/_emulator/softphones')) return ['pbx'];
  if (path.startsWith('/_emulator/calls')) return ['calls'];
  return [];
}

/**
 * Loads the state, then follows the event stream from the journal position the state was read
 * at, so no change falls between the two. Entries are applied in batches (one per 100 ms at
 * most): a thousand connections going online re-render the page a few times, not a thousand.
 */
export async function start(): Promise<void> {
  let since = 0;
  try {
    const recent = await get<{ items: Entry[]; lastSeq: number }>('/_emulator/journal?limit=500');
    since = recent.lastSeq;
    set({ journal: recent.items, lastSeq: since });
    await Promise.all((['projects', 'pbx', 'faults', 'calls', 'clock'] as Part[]).map((p) => loaders[p]().then(set)));
  } catch (error) {
    set({ error: `Could not read the emulator: ${(error as Error).message}` });
  }
  follow(since);
}

function follow(since: number): void {
  const source = new EventSource(`/_emulator/events?since=${since}`);
  let queue: Entry[] = [];
  let timer: number | undefined;
  const flush = () => {
    timer = undefined;
    const batch = queue;
    queue = [];
    apply(batch);
  };
  const onEntry = (event: MessageEvent<string>) => {
    queue.push(JSON.parse(event.data) as Entry);
    timer ??= window.setTimeout(flush, 100);
  };
  for (const kind of kinds) source.addEventListener(kind, onEntry);
  source.addEventListener('ready', () => set({ live: 'live', error: null }));
  source.onerror = () => {
    set({ live: 'reconnecting' });
    // The browser retries with the same `since`; a closed stream is reopened from where we are.
    if (source.readyState === EventSource.CLOSED) window.setTimeout(() => follow(state.lastSeq), 1000);
  };
}
