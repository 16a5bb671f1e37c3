import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api.js';
import { summarize, type Entry } from '../entries.js';
import { clockTime } from '../format.js';
import { navigate, useLocation } from '../router.js';
import { useDashboard } from '../store.js';

const families = ['api', 'sip', 'connection', 'registration', 'pbx', 'call', 'agent', 'dtmf', 'transfer', 'fault', 'clock', 'emulator'];
const shown = 500;

const kindMatches = (kind: string, filter: string) => !filter || kind === filter || kind.startsWith(`${filter}.`);

/**
 * The journal as it happens: API requests and SIP messages, statuses, calls, faults. Filters live
 * in the URL (`/journal?kind=sip&connectionId=…&callId=…`), so a filtered view can be linked to.
 */
export function Journal(): JSX.Element {
  const { query } = useLocation();
  const { journal, calls } = useDashboard();
  const kind = query.get('kind') ?? '';
  const connectionId = query.get('connectionId') ?? '';
  const callId = query.get('callId') ?? '';
  const filtered = Boolean(kind || connectionId || callId);
  const [older, setOlder] = useState<Entry[]>([]);
  const [selected, setSelected] = useState<Entry | null>(null);

  // A filter reads the whole kept journal once (older entries too); live entries are added as they come.
  useEffect(() => {
    setOlder([]);
    if (!filtered) return;
    const params = new URLSearchParams({ limit: '2000', ...(kind && { kind }), ...(connectionId && { connectionId }), ...(callId && { callId }) });
    get<{ items: Entry[] }>(`/_emulator/journal?${params}`).then((r) => setOlder(r.items), () => setOlder([]));
  }, [kind, connectionId, callId]);

  const sipCallId = callId ? calls.find((c) => c.id === callId)?.callId : undefined;
  const entries = useMemo(() => {
    const match = (e: Entry) =>
      kindMatches(e.kind, kind) &&
      (!connectionId || e.connectionId === connectionId) &&
      (!callId || e.callId === callId || e.sipCallId === callId || (sipCallId !== undefined && e.sipCallId === sipCallId));
    const seen = new Set(older.map((e) => e.seq));
    const all = [...older, ...journal.filter((e) => !seen.has(e.seq) && match(e))];
    return all.slice(-shown).reverse();
  }, [journal, older, kind, connectionId, callId, sipCallId]);

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(query);
    if (value) next.set(name, value);
    else next.delete(name);
    const search = next.toString();
    navigate(`/journal${search ? `?${search}` : ''}`, { replace: true });
  };

  return (
    <main aria-label="Journal" class="journal-layout">
      <section aria-labelledby="journal-h" class="card">
        <h2 id="journal-h">Journal <small>(newest first, {entries.length} shown)</small></h2>
        <form class="inline filters" aria-label="Journal filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            Kind{' '}
            <select value={kind} onChange={(e) => setFilter('kind', (e.target as HTMLSelectElement).value)}>
              <option value="">all</option>
              {families.map((f) => <option value={f}>{f}</option>)}
            </select>
          </label>
          <label>Connection <input value={connectionId} placeholder="sipconn_…" onChange={(e) => setFilter('connectionId', (e.target as HTMLInputElement).value.trim())} /></label>
          <label>Call <input value={callId} placeholder="call_… or Call-ID" onChange={(e) => setFilter('callId', (e.target as HTMLInputElement).value.trim())} /></label>
        </form>
        <div class="scroll">
          <table aria-label="Journal entries" class="entries">
            <thead>
              <tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">What</th></tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.seq} class={selected?.seq === e.seq ? 'selected' : ''} data-kind={e.kind}>
                  <td>{e.seq}</td>
                  <td>{clockTime(e.wall)}</td>
                  <td>{e.kind}</td>
                  <td><button type="button" class="link" onClick={() => setSelected(e)}>{summarize(e)}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <aside aria-label="Entry details" class="card raw">
        <h2>Details</h2>
        {selected ? <EntryDetails entry={selected} /> : <p class="empty">Select an entry: a request's body and response, a SIP message's text.</p>}
      </aside>
    </main>
  );
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

function EntryDetails({ entry }: { entry: Entry }): JSX.Element {
  if (entry.kind === 'api') {
    const { request, response } = entry;
    return (
      <>
        <p><b>{entry.method} {entry.path}{entry.query ? `?${entry.query}` : ''}</b> → {response?.status} in {Math.round(entry.durationMs ?? 0)} ms{entry.operationId ? ` (${entry.operationId})` : ''}{entry.apiKey ? `, key ${entry.apiKey}` : ''}</p>
        <h3>Request</h3>
        {request?.body === undefined ? <p class="empty">No body.</p> : <pre>{json(request.body)}</pre>}
        <h3>Response</h3>
        {response?.body !== undefined ? <pre>{json(response.body)}</pre> : response?.bodyDropped ? <p class="empty">{response.bodyDropped} bytes of body not kept (a successful read keeps no body in the ring; the event stream and --journal file carry it).</p> : <p class="empty">No body.</p>}
      </>
    );
  }
  if (entry.kind === 'sip') return <pre class="sip">{entry.text}</pre>;
  return <pre>{json(entry)}</pre>;
}
