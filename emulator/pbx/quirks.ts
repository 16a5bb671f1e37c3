import type { PbxQuirks } from '../generated/index.js';

/**
 * Quirks: behaviours of real PBXs that integrations trip over, switched on for the whole built-in
 * PBX or for one account. The schema is `PbxQuirks` in control-openapi.yaml (one documented key per
 * quirk, naming the real PBX that behaves so); the type is generated from it, never written twice.
 *
 * - `strictDigestUri`: a REGISTER's digest `uri` must equal its Request-URI byte for byte, else 401 (Asterisk chan_pjsip, FreeSWITCH).
 * - `fromMustMatchAuthUser`: From user ≠ digest username → 403 (Asterisk, 3CX).
 * - `registerRejected`: every REGISTER is answered 405 (with Allow) or 501: a port with no registrar (a trunk-only port).
 * - `extraProxyHop`: two Record-Route entries, as an SBC in front of the PBX adds.
 * - `refer`: the PBX takes the agent's REFER with 202 itself and sends no NOTIFY, or never a final one.
 * - `rtpStopsAfterMs`: the caller's RTP stops reaching the agent that long after the answer.
 * - `lateOffer`, `dtmf`, `sessionTimers`, `require100rel`, `challengeInvites`: call set-up quirks.
 *
 * An account's quirks win over the PBX-wide ones key by key; in an account's quirks `false` or
 * `null` turns a PBX-wide quirk off for it.
 *
 * @example
 * pbx.quirks.set({ strictDigestUri: true });
 * accounts.put('101', { password: 's3cret', quirks: { registerRejected: 405, strictDigestUri: false } });
 * pbx.quirksFor('101'); // { registerRejected: 405 }
 */
export type { PbxQuirks };

export type QuirkName = keyof PbxQuirks;

/** The quirks in force for an account: every key absent, or on (never `false` or `null`). */
export type EffectiveQuirks = { readonly [K in QuirkName]?: Exclude<PbxQuirks[K], false | null | undefined> };

/** Every quirk, in the schema's order. */
export const quirkNames: readonly QuirkName[] = [
  'strictDigestUri', 'fromMustMatchAuthUser', 'registerRejected', 'extraProxyHop', 'refer', 'rtpStopsAfterMs',
  'lateOffer', 'dtmf', 'sessionTimers', 'require100rel', 'challengeInvites',
];

/** A quirk changed what the PBX did: what the journal's `pbx.quirk` entry carries. */
export interface QuirkEvent {
  quirk: QuirkName;
  /** The account it acted for; null when no account is known (e.g. a REGISTER from an unknown user). */
  account: string | null;
  /** What the PBX did because of it, in words, e.g. `REGISTER answered 405 Method Not Allowed`. */
  text: string;
  sipCallId?: string;
}

const NO_QUIRKS: EffectiveQuirks = Object.freeze({});

function isEmpty(quirks: PbxQuirks): boolean {
  for (const key in quirks) if (Object.hasOwn(quirks, key)) return false;
  return true;
}

/** The account's quirks over the PBX-wide ones, key by key; `false` and `null` mean off. */
export function mergeQuirks(pbxWide: PbxQuirks, account: PbxQuirks | undefined): EffectiveQuirks {
  // The common case, asked once per request: no quirk anywhere.
  if (account === undefined && isEmpty(pbxWide)) return NO_QUIRKS;
  const merged: Record<string, unknown> = {};
  for (const name of quirkNames) {
    const value = account !== undefined && name in account && account[name] !== undefined ? account[name] : pbxWide[name];
    if (value !== undefined && value !== null && value !== false) merged[name] = value;
  }
  return merged as EffectiveQuirks;
}

/**
 * What is wrong with a quirks object that did not come through the HTTP API's validation (the
 * `pbxQuirks` option, a scenario, an in-process call), or undefined when it is valid.
 */
export function quirksProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'quirks must be an object, e.g. { "strictDigestUri": true }';
  const q = value as Record<string, unknown>;
  const unknown = Object.keys(q).filter((k) => !(quirkNames as readonly string[]).includes(k));
  if (unknown.length > 0) return `unknown quirk ${unknown.map((k) => `'${k}'`).join(', ')}; the quirks are ${quirkNames.join(', ')}`;
  const oneOf = (name: string, allowed: readonly unknown[]): string | undefined =>
    q[name] === undefined || q[name] === null || allowed.includes(q[name]) ? undefined : `quirk ${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')} or null, got ${JSON.stringify(q[name])}`;
  for (const name of ['strictDigestUri', 'fromMustMatchAuthUser', 'extraProxyHop', 'lateOffer', 'require100rel', 'challengeInvites']) {
    if (q[name] !== undefined && q[name] !== null && typeof q[name] !== 'boolean') return `quirk ${name} must be true or false, got ${JSON.stringify(q[name])}`;
  }
  const problem = oneOf('registerRejected', [405, 501]) ?? oneOf('refer', ['noNotify', 'noFinalNotify']) ?? oneOf('dtmf', ['infoOnly', 'rfc4733Only']);
  if (problem !== undefined) return problem;
  const ms = q.rtpStopsAfterMs;
  if (ms !== undefined && ms !== null && !(Number.isInteger(ms) && (ms as number) >= 0)) return `quirk rtpStopsAfterMs must be a whole number of milliseconds >= 0, got ${JSON.stringify(ms)}`;
  const timers = q.sessionTimers as Record<string, unknown> | null | undefined;
  if (timers !== undefined && timers !== null) {
    const seconds = (v: unknown, optional: boolean): boolean => (optional && v === undefined) || (Number.isInteger(v) && (v as number) >= 90);
    if (typeof timers !== 'object' || !seconds(timers.interval, false) || !seconds(timers.minSE, true) || Object.keys(timers).some((k) => k !== 'interval' && k !== 'minSE')) {
      return `quirk sessionTimers must be { interval, minSE? } in seconds, each >= 90, got ${JSON.stringify(timers)}`;
    }
  }
  return undefined;
}

/**
 * The PBX-wide quirks, and where a quirk that acted is reported. Starts from the configured ones
 * (the `pbxQuirks` option), and goes back to them on reset.
 */
export class PbxQuirkSettings {
  private current: PbxQuirks;

  constructor(private readonly configured: PbxQuirks = {}, private readonly onQuirk: (event: QuirkEvent) => void = () => {}) {
    const problem = quirksProblem(configured);
    if (problem !== undefined) throw new RangeError(`PBX: ${problem}`);
    this.current = structuredClone(configured);
  }

  get(): PbxQuirks {
    return structuredClone(this.current);
  }

  /** The quirks in force, not copied: for reading on every request, never to be changed. */
  active(): Readonly<PbxQuirks> {
    return this.current;
  }

  /** Replaces every PBX-wide quirk. */
  set(quirks: PbxQuirks): PbxQuirks {
    this.current = structuredClone(quirks);
    return this.get();
  }

  reset(): void {
    this.current = structuredClone(this.configured);
  }

  /** A quirk changed what the PBX did: into the journal. */
  report(event: QuirkEvent): void {
    this.onQuirk(event);
  }
}
