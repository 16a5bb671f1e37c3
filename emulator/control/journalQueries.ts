import { journalKinds, type Journal, type JournalEntry, type JournalFilter } from '../journal/index.js';
import { ControlError } from './ControlError.js';
import { controlErrors } from './errors.js';

/** The query of `GET /_emulator/journal`, parsed. */
export interface JournalQuery {
  since?: number;
  /** Kinds, exactly or by family (`call` for `call.*`). */
  kind?: readonly string[];
  /** A call's id or SIP Call-ID. */
  callId?: string;
  connectionId?: string;
  limit?: number;
}

/**
 * The journal's entries from now on (after those matching `query.since`, if given, which are sent
 * first), as they happen: what `GET /_emulator/events` streams. End it with `return()`.
 */
/** The journal's entries as they come; `takeQueued` hands over at once up to `max` of those already waiting (to write them in one go). */
export interface JournalEventStream extends AsyncIterableIterator<JournalEntry> {
  takeQueued(max: number): JournalEntry[];
}

export function journalEvents(journal: Journal, query: Pick<JournalQuery, 'since' | 'kind'> = {}): JournalEventStream {
  const filter = journalFilter({ ...(query.kind && { kind: query.kind }) });
  const queue: JournalEntry[] = query.since === undefined ? [] : journal.entries({ ...filter, since: query.since });
  let wake: (() => void) | undefined;
  let done = false;
  // Subscribed by kind: the journal then builds no SIP message for a stream that does not show them.
  const unsubscribe = journal.subscribe((entry) => {
    queue.push(entry);
    wake?.();
  }, filter.kinds);
  const finish = (): IteratorResult<JournalEntry> => {
    done = true;
    unsubscribe();
    wake?.();
    return { done: true, value: undefined };
  };
  const iterator: JournalEventStream = {
    [Symbol.asyncIterator]: () => iterator,
    takeQueued: (max) => queue.splice(0, max),
    async next() {
      while (!done) {
        const entry = queue.shift();
        if (entry) return { done: false, value: entry };
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      return { done: true, value: undefined };
    },
    return: async () => finish(),
  };
  return iterator;
}

/** The journal filter of a query; an unknown kind is a 400 that lists the kinds. */
export function journalFilter(query: JournalQuery): JournalFilter {
  const filter: JournalFilter = {};
  if (query.since !== undefined) filter.since = query.since;
  if (query.kind !== undefined && query.kind.length > 0) {
    const unknown = query.kind.filter((k) => !journalKinds.some((known) => known === k || known.startsWith(`${k}.`)));
    if (unknown.length) throw new ControlError(controlErrors.invalidQuery(`kind ${unknown.map((k) => `'${k}'`).join(', ')} matches no journal entry kind; the kinds are ${journalKinds.join(', ')} (a family like 'call' matches every 'call.*')`));
    filter.kinds = query.kind;
  }
  if (query.connectionId !== undefined) filter.connectionId = query.connectionId;
  if (query.limit !== undefined) filter.limit = query.limit;
  return filter;
}
