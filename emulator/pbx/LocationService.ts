import { parseUri, type Endpoint, type TransportProtocol } from '../../sip/index.js';
import { flatCopy } from '../core/flatCopy.js';

/** The clock bindings expire on: the emulator's clock, so a virtual clock can jump past an expiry. */
export interface PbxClock {
  now(): number;
}

/** One registered contact of an address-of-record (RFC 3261 §10.3). */
export interface Binding {
  /** The Contact URI as registered, e.g. `sip:101@127.0.0.1:5070;transport=tcp`. */
  contact: string;
  /** ms since the epoch on the PBX clock. */
  expiresAt: number;
  /** The transport the REGISTER came over; requests to the contact use it too. */
  transport: TransportProtocol;
  /** Where the REGISTER came from (after received/rport) and on which flow, RFC 5626-style. */
  source: Endpoint;
  flowId: string;
  callId: string;
  cseq: number;
  q?: number;
  /** When the binding was last refreshed, to pick the most recent one. */
  updatedAt: number;
}

/** One Contact of a REGISTER after the registrar has settled its lifetime. */
export interface ContactUpdate {
  uri: string;
  /** Seconds; 0 removes the binding. */
  expires: number;
  q?: number;
}

/** What identifies the REGISTER that changes bindings. */
export interface RegisterOrigin {
  callId: string;
  cseq: number;
  transport: TransportProtocol;
  source: Endpoint;
  flowId: string;
}

export type LocationUpdate = { ok: true; bindings: Binding[] } | { ok: false; reason: 'out-of-order'; contact: string };

/**
 * The location service of RFC 3261 §10: bindings per address-of-record, keyed by user name (the
 * PBX serves every domain, so `101@a` and `101@b` are one account). Expiry reads the injected
 * clock; expired bindings are dropped when next looked at, so no timer runs.
 *
 * @example
 * const location = new LocationService({ now: Date.now });
 * location.update('101', [{ uri: 'sip:101@127.0.0.1:5070', expires: 300 }], origin);
 * location.bindings('101')[0]?.contact; // 'sip:101@127.0.0.1:5070'
 */
/** A binding added, refreshed or removed by a REGISTER (or by the account's removal): for the journal. */
export interface BindingChange {
  account: string;
  contact: string;
  transport: string;
  change: 'added' | 'refreshed' | 'removed';
  expiresAt?: number;
}

export class LocationService {
  private readonly table = new Map<string, Binding[]>();

  constructor(
    private readonly clock: PbxClock,
    private readonly onChange: (change: BindingChange) => void = () => undefined,
  ) {}

  /** Live bindings of a user, most recently refreshed first. */
  bindings(username: string): Binding[] {
    return [...this.live(username)].sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** Users with at least one live binding. */
  usernames(): string[] {
    return [...this.table.keys()].filter((username) => this.live(username).length > 0);
  }

  /**
   * Applies the Contacts of one REGISTER atomically (RFC 3261 §10.3 step 7): each contact is added,
   * refreshed or removed (`expires` 0); nothing changes if any existing binding with the same
   * Call-ID has a CSeq at least as high, since that REGISTER is older than what we hold.
   */
  update(username: string, contacts: ContactUpdate[], origin: RegisterOrigin): LocationUpdate {
    const current = this.live(username);
    for (const contact of contacts) {
      const existing = current.find((b) => sameContact(b.contact, contact.uri));
      // §10.3 step 7: same Call-ID and a CSeq not higher than the binding's: the update MUST be aborted.
      if (existing && existing.callId === origin.callId && origin.cseq <= existing.cseq) return { ok: false, reason: 'out-of-order', contact: contact.uri };
    }
    const now = this.clock.now();
    let next = current;
    const changes: BindingChange[] = [];
    for (const contact of contacts) {
      const before = next.find((b) => sameContact(b.contact, contact.uri));
      next = next.filter((b) => b !== before);
      if (contact.expires <= 0) {
        if (before) changes.push({ account: username, contact: before.contact, transport: before.transport, change: 'removed' });
        continue;
      }
      const binding: Binding = {
        contact: contact.uri,
        expiresAt: now + contact.expires * 1000,
        transport: origin.transport,
        source: { ...origin.source },
        flowId: origin.flowId,
        callId: origin.callId,
        cseq: origin.cseq,
        updatedAt: now,
      };
      if (contact.q !== undefined) binding.q = contact.q;
      next.push(binding);
      changes.push({ account: username, contact: binding.contact, transport: binding.transport, change: before ? 'refreshed' : 'added', expiresAt: binding.expiresAt });
    }
    this.store(username, next);
    for (const change of changes) this.onChange(change);
    return { ok: true, bindings: this.bindings(username) };
  }

  /** `Contact: *` with Expires 0 (§10.3 step 6): removes every binding, with the same Call-ID/CSeq check. */
  removeAll(username: string, origin: Pick<RegisterOrigin, 'callId' | 'cseq'>): LocationUpdate {
    const current = this.live(username);
    const newer = current.find((b) => b.callId === origin.callId && origin.cseq <= b.cseq);
    if (newer) return { ok: false, reason: 'out-of-order', contact: newer.contact };
    this.forget(username);
    return { ok: true, bindings: [] };
  }

  /** Forgets a user's bindings (account removed), or everyone's. */
  clear(username?: string): void {
    for (const name of username === undefined ? [...this.table.keys()] : [username]) this.forget(name);
  }

  private forget(username: string): void {
    const gone = this.live(username);
    this.table.delete(username);
    for (const b of gone) this.onChange({ account: username, contact: b.contact, transport: b.transport, change: 'removed' });
  }

  /** The live binding whose contact is this URI, so an in-dialog request to it can go back on the registration's flow. */
  findByContact(uri: string): Binding | undefined {
    for (const username of [...this.table.keys()]) {
      const found = this.live(username).find((b) => sameContact(b.contact, uri));
      if (found) return found;
    }
    return undefined;
  }

  private live(username: string): Binding[] {
    const all = this.table.get(username);
    if (all === undefined) return [];
    const now = this.clock.now();
    const live = all.filter((b) => b.expiresAt > now);
    if (live.length !== all.length) this.store(username, live);
    return live;
  }

  private store(username: string, bindings: Binding[]): void {
    if (bindings.length === 0) this.table.delete(username);
    else this.table.set(username, bindings);
  }
}

/**
 * URI comparison for bindings (RFC 3261 §19.1.4, simplified): scheme, user, host (case-insensitive),
 * port (default 5060) and transport must match; other parameters are ignored, as most registrars do.
 */
export function sameContact(a: string, b: string): boolean {
  // A phone re-registers with the same text: equal texts are the same contact without a lookup.
  return a === b || contactKey(a) === contactKey(b);
}

/**
 * Keys of the contacts seen lately. Every REGISTER compares its Contact with each binding of its
 * account twice (the CSeq check, then the update), and parsing both URIs each time was 3.4% of
 * an in-process registrar's profile (1.9% with the keys kept). A phone re-registering with the same
 * text never gets here (`sameContact` matches equal texts first); the cache serves texts that differ
 * but may name the same contact, such as a phone's old and new Contact. Past MAX_CONTACT_KEYS texts
 * it starts over.
 */
const CONTACT_KEYS = new Map<string, string>();
const MAX_CONTACT_KEYS = 8192;

function contactKey(text: string): string {
  let key = CONTACT_KEYS.get(text);
  if (key === undefined) {
    key = readContactKey(text);
    if (CONTACT_KEYS.size >= MAX_CONTACT_KEYS) CONTACT_KEYS.clear();
    // A copy of its own: the text may be a slice of a whole received message.
    CONTACT_KEYS.set(flatCopy(text), key);
  }
  return key;
}

function readContactKey(text: string): string {
  const uri = parseUri(text);
  if (uri === undefined) return text.trim();
  const transport = (uri.params.transport ?? 'udp').toLowerCase();
  return `${uri.scheme}:${uri.user ?? ''}@${uri.host.toLowerCase()}:${uri.port ?? 5060};${transport}`;
}
