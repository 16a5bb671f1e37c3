import type { JournalEntry } from '../../emulator/index.js';
import { mismatch, show } from './matchers.js';
import { labelMatches, labelOf, resolveParty, sipEntries } from './parties.js';
import { ScenarioFailure } from './ScenarioFailure.js';
import type { SipMessageExpect, SipSequenceExpect } from './steps.js';

type SipEntry = Extract<JournalEntry, { kind: 'sip' }>;

/** The SIP messages a party recorded, optionally of some calls only, without 100 Trying and retransmissions unless `all`. */
function viewOf(entries: readonly JournalEntry[], party: string, sipCallIds: readonly string[] | undefined, all: boolean): SipEntry[] {
  return sipEntries(entries).filter(
    (e) => e.party === party && (sipCallIds === undefined || (e.sipCallId !== undefined && sipCallIds.includes(e.sipCallId))) && (all || (e.status !== 100 && !e.retransmission)),
  );
}

/** What a party saw, as `→ REGISTER`, `← 401 REGISTER`: for failure messages. */
function describe(view: SipEntry[]): string[] {
  return view.map((e) => `${e.direction === 'out' ? '→' : '←'} ${labelOf(e)}`);
}

/** Checks that a party saw these messages, in order (or exactly, or in any order). */
export function expectSipSequence(entries: readonly JournalEntry[], expect: SipSequenceExpect, sipCallIds: readonly string[] | undefined, ladder: () => string | undefined): void {
  const party = resolveParty(expect.at, entries, expect.connection);
  const view = viewOf(entries, party, sipCallIds, expect.all ?? false);
  const mode = expect.match ?? 'inOrder';
  let missing: Array<string | number> = [];
  if (mode === 'anyOrder') missing = expect.sequence.filter((label) => !view.some((e) => labelMatches(label, e)));
  else if (mode === 'exact') {
    const ok = view.length === expect.sequence.length && view.every((e, i) => labelMatches(expect.sequence[i]!, e));
    if (!ok) missing = expect.sequence;
  } else {
    let at = 0;
    for (const e of view) if (at < expect.sequence.length && labelMatches(expect.sequence[at]!, e)) at++;
    missing = expect.sequence.slice(at);
  }
  if (missing.length === 0) return;
  const seen = describe(view);
  throw new ScenarioFailure(
    mode === 'exact'
      ? `${party} did not see exactly ${expect.sequence.join(', ')}`
      : `${party} did not see ${mode === 'anyOrder' ? '' : 'in order '}${expect.sequence.join(', ')}: missing ${missing.join(', ')}`,
    { expected: expect.sequence.map(String), actual: seen.length ? seen : '(no SIP message at this party)', ladder: ladder() },
  );
}

/** Checks that a message with these properties went from one party to another (or that none did). */
export function expectSipMessage(entries: readonly JournalEntry[], expect: SipMessageExpect, sipCallIds: readonly string[] | undefined, ladder: () => string | undefined): void {
  const from = expect.from === undefined ? undefined : resolveParty(expect.from, entries, expect.connection);
  const to = expect.to === undefined ? undefined : resolveParty(expect.to, entries, expect.connection);
  const addressOf = new Map(sipEntries(entries).map((e) => [e.local, e.party]));
  const candidates = sipEntries(entries).filter(
    (e) =>
      !e.retransmission &&
      (sipCallIds === undefined || (e.sipCallId !== undefined && sipCallIds.includes(e.sipCallId))) &&
      (expect.method === undefined || e.method === expect.method.toUpperCase()) &&
      (expect.status === undefined || e.status === expect.status) &&
      // Read each message where it was sent, unless only its receiver is named.
      (from !== undefined ? e.party === from && e.direction === 'out' : to !== undefined ? e.party === to && e.direction === 'in' : e.direction === 'out') &&
      (to === undefined || from === undefined || addressOf.get(e.remote) === to),
  );
  const headerProblems = (e: SipEntry) => Object.entries(expect.headers ?? {}).flatMap(([name, matcher]) => {
    const value = headerValue(e.text, name);
    const why = mismatch(matcher, value);
    return why ? [{ name, expected: matcher, actual: value, why }] : [];
  });
  const match = candidates.find((e) => headerProblems(e).length === 0);
  const what = `${expect.method ?? expect.status ?? 'a message'}${from ? ` from ${from}` : ''}${to ? ` to ${to}` : ''}`;
  if (expect.absent) {
    if (match) throw new ScenarioFailure(`expected no ${what}, but there was one (journal entry ${match.seq})`, { actual: match.text.split('\r\n')[0], ladder: ladder() });
    return;
  }
  if (match) return;
  const closest = candidates[0];
  if (closest) {
    const problems = headerProblems(closest);
    const diff = problems.map((p) => `- ${p.name}: ${show(p.expected)}\n+ ${p.name}: ${p.actual === undefined ? '(absent)' : show(p.actual)}`).join('\n');
    throw new ScenarioFailure(`${what} did not have the expected headers (journal entry ${closest.seq}: ${closest.text.split('\r\n')[0]})`, { diff, ladder: ladder() });
  }
  throw new ScenarioFailure(`no ${what} in the journal`, { ladder: ladder() });
}

/** The first value of a header in a message's text (compact forms not expanded: name them as sent). */
export function headerValue(text: string, name: string): string | undefined {
  const head = text.split('\r\n\r\n', 1)[0]!;
  const wanted = name.toLowerCase();
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) return line.slice(colon + 1).trim();
  }
  return undefined;
}
