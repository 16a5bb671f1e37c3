import type {
  SipConnection,
  SipConnectionCreate,
  SipConnectionError,
  SipConnectionPatch,
  SipConnectionStatus,
} from '../generated/index.js';
import { apiErrors } from './errors.js';
import { unixSeconds, type Ids } from './ids.js';
import type { ConnectionChange } from './projects.js';
import {
  initialListenerState,
  sipStatusOf,
  transition,
  type LifecycleEffect,
  type LifecycleEvent,
  type ListenerState,
} from './lifecycle.js';
import { paginate, type Page, type PageRequest } from './pagination.js';
import { failed, success, type Result } from './result.js';

export type SipSettings = SipConnection['settings'];

/** Everything the emulator knows of a connection. `password` never leaves through `toResource`. */
export interface SipConnectionRecord {
  readonly id: string;
  readonly apiKey: string;
  agentId: string;
  name?: string;
  settings: SipSettings;
  password: string;
  readonly created: number;
  state: ListenerState;
  /** Unix seconds of the last status change or status refresh. */
  lastRefreshed: number;
  errors: SipConnectionError[];
}

/** What of a connection is state worth keeping across a restart: what the API set, and its `id` and `created`. Not its status. */
export interface SavedSipConnection {
  id: string;
  agentId: string;
  name?: string;
  settings: SipSettings;
  /** Absent in an export without secrets. */
  password?: string;
  created: number;
}

/** A connection's saved form; the password only when asked (`withSecrets`). */
export function savedConnection(record: SipConnectionRecord, withSecrets: boolean): SavedSipConnection {
  return {
    id: record.id,
    agentId: record.agentId,
    ...(record.name !== undefined ? { name: record.name } : {}),
    settings: { ...record.settings },
    ...(withSecrets ? { password: record.password } : {}),
    created: record.created,
  };
}

/** The error log keeps this many entries, newest last (assumed bound; the docs say "recent"). */
export const errorLogLimit = 100;

const settingsFields = ['server', 'port', 'domain', 'username', 'transport', 'callerId'] as const;

export function statusOf(record: SipConnectionRecord): SipConnectionStatus {
  const { lifecycleStatus } = record.state;
  return {
    // A deleted record is never shown by the API; `Unknown` keeps the type honest for stale reads.
    lifecycleStatus: lifecycleStatus === 'Deleted' ? 'Unknown' : lifecycleStatus,
    sipStatus: sipStatusOf(record.state),
    message: record.state.message,
    lastRefreshed: record.lastRefreshed,
  };
}

export function toResource(record: SipConnectionRecord): SipConnection {
  // Plain assignments and two literals, no spreads or Object.assign: this runs for every read (bench/api).
  const settings: Record<string, unknown> = {};
  for (const key of settingsFields) {
    const value = record.settings[key];
    if (value !== undefined) settings[key] = value;
  }
  const status = statusOf(record);
  return record.name !== undefined
    ? { id: record.id, agentId: record.agentId, name: record.name, settings: settings as unknown as SipSettings, status, created: record.created }
    : { id: record.id, agentId: record.agentId, settings: settings as unknown as SipSettings, status, created: record.created };
}

/** What a connection's JSON was made from: the record's fields as they were, compared before the text is reused. */
interface ResourceText {
  state: ListenerState;
  lastRefreshed: number;
  agentId: string;
  name: string | undefined;
  server: unknown;
  port: unknown;
  domain: unknown;
  username: unknown;
  transport: unknown;
  callerId: unknown;
  json: string;
}

const resourceTexts = new WeakMap<SipConnectionRecord, ResourceText>();

/**
 * `JSON.stringify(toResource(record))`, made again only when a field it shows has changed: a
 * connection read in a loop (a client polling its status) built the object and its text on every
 * request, about a tenth of the request's time (bench/api). The record's fields are compared, not
 * a version number, so a change made anywhere is seen; the state is replaced on every transition,
 * never changed in place, so comparing it by identity covers status and message.
 */
export function resourceJson(record: SipConnectionRecord): string {
  const cached = resourceTexts.get(record);
  const { settings } = record;
  if (
    cached !== undefined &&
    cached.state === record.state &&
    cached.lastRefreshed === record.lastRefreshed &&
    cached.agentId === record.agentId &&
    cached.name === record.name &&
    cached.server === settings.server &&
    cached.port === settings.port &&
    cached.domain === settings.domain &&
    cached.username === settings.username &&
    cached.transport === settings.transport &&
    cached.callerId === settings.callerId
  ) {
    return cached.json;
  }
  const json = JSON.stringify(toResource(record));
  resourceTexts.set(record, {
    state: record.state,
    lastRefreshed: record.lastRefreshed,
    agentId: record.agentId,
    name: record.name,
    server: settings.server,
    port: settings.port,
    domain: settings.domain,
    username: settings.username,
    transport: settings.transport,
    callerId: settings.callerId,
    json,
  });
  return json;
}

/** The outcome of a lifecycle event: what changed, and the effects left for the listener manager. */
export interface AppliedEvent {
  ok: boolean;
  reason?: string;
  record: SipConnectionRecord;
  /** Effects other than `appendError`, which the store carries out itself. */
  effects: LifecycleEffect[];
}

/** One project's SIP connections. Agent existence is checked by the caller, which owns the agents. */
export class SipConnectionStore {
  private readonly records = new Map<string, SipConnectionRecord>();

  constructor(
    private readonly apiKey: string,
    private readonly ids: Ids,
    private readonly notify: (change: ConnectionChange) => void = () => undefined,
  ) {}

  create(body: SipConnectionCreate, nowMs: number): SipConnectionRecord {
    const { password, ...settings } = body.settings;
    return this.open({ id: this.ids.next('sipconn'), agentId: body.agentId, name: body.name, settings, password, created: unixSeconds(nowMs) }, nowMs);
  }

  /**
   * Puts back a saved connection with its `id` and `created`, as new to the lifecycle (Pending):
   * whoever follows the store provisions it as they would a created one. Without a password it
   * keeps an empty one, which its listener reports instead of registering.
   */
  restore(saved: SavedSipConnection, nowMs: number): SipConnectionRecord {
    return this.open({ ...saved, password: saved.password ?? '' }, nowMs);
  }

  /** A connection, new to the lifecycle (Pending), in the store, its watchers told. */
  private open(fields: { id: string; agentId: string; name?: string | undefined; settings: SipSettings; password: string; created: number }, nowMs: number): SipConnectionRecord {
    const record: SipConnectionRecord = {
      id: fields.id,
      apiKey: this.apiKey,
      agentId: fields.agentId,
      ...(fields.name !== undefined ? { name: fields.name } : {}),
      settings: { ...fields.settings },
      password: fields.password,
      created: fields.created,
      state: initialListenerState,
      lastRefreshed: unixSeconds(nowMs),
      errors: [],
    };
    this.records.set(record.id, record);
    this.notify({ type: 'created', record });
    return record;
  }

  list(page: PageRequest, filter: { agentId?: string }): Page<SipConnection> {
    const all = [...this.records.values()];
    const filtered = filter.agentId === undefined ? all : all.filter((r) => r.agentId === filter.agentId);
    // Only the page's records become resources: a page of 100 out of 5,000 costs 100, not 5,000.
    const records = paginate(all.length, filtered, page);
    return { ...records, items: records.items.map(toResource) };
  }

  get(id: string): Result<SipConnectionRecord> {
    const record = this.records.get(id);
    return record ? success(record) : failed(apiErrors.sipConnectionNotFound(id));
  }

  all(): SipConnectionRecord[] {
    return [...this.records.values()];
  }

  count(): number {
    return this.records.size;
  }

  /**
   * PATCH: `name` and `agentId` replace; `settings` fields present replace the stored ones one by
   * one (assumed, so a password can change alone). `redeploy` is true when a setting changed.
   */
  patch(id: string, body: SipConnectionPatch): Result<{ record: SipConnectionRecord; redeploy: boolean }> {
    const record = this.records.get(id);
    if (!record) return failed(apiErrors.sipConnectionNotFound(id));
    const previousUsername = record.settings.username;
    if (body.name !== undefined) record.name = body.name;
    if (body.agentId !== undefined) record.agentId = body.agentId;
    let redeploy = false;
    if (body.settings) {
      const { password, ...settings } = body.settings;
      for (const key of settingsFields) {
        const value = settings[key];
        if (value !== undefined && value !== record.settings[key]) {
          Object.assign(record.settings, { [key]: value });
          redeploy = true;
        }
      }
      if (password !== undefined && password !== record.password) {
        record.password = password;
        redeploy = true;
      }
    }
    this.notify({ type: 'patched', record, redeploy, previousUsername });
    return success({ record, redeploy });
  }

  delete(id: string): Result<SipConnectionRecord> {
    const record = this.records.get(id);
    if (!record) return failed(apiErrors.sipConnectionNotFound(id));
    this.records.delete(id);
    this.notify({ type: 'deleted', record });
    return success(record);
  }

  /** POST …/status: refreshes `lastRefreshed` and returns the status. */
  refresh(id: string, nowMs: number): Result<SipConnectionRecord> {
    const record = this.records.get(id);
    if (!record) return failed(apiErrors.sipConnectionNotFound(id));
    record.lastRefreshed = unixSeconds(nowMs);
    return success(record);
  }
}

/** Runs one lifecycle event on a record: new state, error log entry, and the effects left to do. */
export function applyLifecycleEvent(record: SipConnectionRecord, event: LifecycleEvent, nowMs: number): AppliedEvent {
  const result = transition(record.state, event);
  if (!result.ok) return { ok: false, reason: result.reason, record, effects: [] };
  record.state = result.state;
  record.lastRefreshed = unixSeconds(nowMs);
  const rest: LifecycleEffect[] = [];
  for (const effect of result.effects) {
    if (effect.type === 'appendError') {
      record.errors.push({ timestamp: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'), message: effect.message, code: effect.code });
      if (record.errors.length > errorLogLimit) record.errors.splice(0, record.errors.length - errorLogLimit);
    } else {
      rest.push(effect);
    }
  }
  return { ok: true, record, effects: rest };
}
