import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Call } from '../../emulator/generated/index.js';
import { ApiError, get, getBlob } from '../api.js';
import type { Entry } from '../entries.js';
import { clockTime, duration } from '../format.js';
import { buildLadder, type Ladder, type LadderArrow } from '../ladder/buildLadder.js';
import { Link } from '../router.js';
import { onEntries, useDashboard } from '../store.js';
import { callDuration, rtpText, transferText } from './Calls.js';

interface Loaded {
  call: Call;
  entries: Entry[];
}

/** One call: its facts, its recording and pcap, and its SIP ladder with the agent's turns and DTMF on the same time line. */
export function CallLadder({ callId }: { callId: string }): JSX.Element {
  const { calls } = useDashboard();
  const legs = useMemo(() => calls.filter((c) => c.transferOf === callId).map((c) => c.id), [calls, callId]);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadedSipIds = useRef(new Set<string>());
  loadedSipIds.current = new Set(loaded?.entries.flatMap((e) => (e.sipCallId ? [e.sipCallId] : [])) ?? []);

  useEffect(() => {
    let gone = false;
    // One load at a time per effect; entries arriving during a load ask for one more.
    let loading: 'idle' | 'running' | 'again' = 'idle';
    const load = async () => {
      if (loading !== 'idle') return void (loading = 'again');
      loading = 'running';
      try {
        const call = await get<Call>(`/_emulator/calls/${encodeURIComponent(callId)}`);
        const lists = await Promise.all([callId, ...legs].map((id) => get<{ items: Entry[] }>(`/_emulator/journal?callId=${encodeURIComponent(id)}`)));
        if (!gone) {
          setLoaded({ call, entries: lists.flatMap((l) => l.items) });
          setError(null);
        }
      } catch (e) {
        if (!gone) setError(e instanceof ApiError && e.code === 'CallNotFound' ? `There is no call ${callId} (calls are forgotten on reset).` : (e as Error).message);
      }
      const again = (loading as string) === 'again';
      loading = 'idle';
      if (again && !gone) void load();
    };
    void load();
    // While the call runs, every entry of it (or of its transfer) reloads the ladder.
    const off = onEntries((batch) => {
      const ids = new Set([callId, ...legs]);
      if (batch.some((e) => (e.callId !== undefined && ids.has(e.callId)) || (e.kind === 'sip' && e.sipCallId !== undefined && loadedSipIds.current.has(e.sipCallId)))) void load();
    });
    return () => {
      gone = true;
      off();
    };
  }, [callId, legs.join(',')]);

  const ladder = useMemo(() => (loaded ? buildLadder(loaded.entries) : null), [loaded]);

  return (
    <main aria-label={`Call ${callId}`} class="call">
      <section aria-labelledby="call-h" class="card wide">
        <h2 id="call-h">Call <code>{callId}</code></h2>
        <p><Link href="/calls">← all calls</Link> · <Link href={`/journal?callId=${encodeURIComponent(callId)}`}>its journal entries</Link></p>
        {error && <p role="alert">{error}</p>}
        {loaded && <CallFacts call={loaded.call} legs={legs} />}
      </section>
      {ladder && loaded && <LadderView ladder={ladder} />}
    </main>
  );
}

function CallFacts({ call, legs }: { call: Call; legs: string[] }): JSX.Element {
  const [audio, setAudio] = useState<{ url?: string; error?: string }>({});
  const play = async () => {
    try {
      const blob = await getBlob(`/_emulator/calls/${encodeURIComponent(call.id)}/recording`);
      setAudio({ url: URL.createObjectURL(blob) });
    } catch (e) {
      setAudio({ error: (e as Error).message });
    }
  };
  return (
    <>
      <dl class="facts">
        <dt>Parties</dt><dd>{call.from} → {call.to}{call.connectionId ? <> (agent: <code class="id">{call.connectionId}</code>)</> : null}</dd>
        <dt>State</dt><dd><span class={`state ${call.state}`}>{call.state}</span>{call.endReason ? ` (${call.endReason})` : ''}</dd>
        <dt>Started</dt><dd>{clockTime(call.startedAt)}, {callDuration(call)}</dd>
        <dt>Codec</dt><dd>{call.codec ?? '—'}</dd>
        <dt>RTP</dt><dd>{rtpText(call)}</dd>
        <dt>Transfer</dt><dd>{transferText(call)}{legs.map((id) => <> · <Link href={`/calls/${encodeURIComponent(id)}`}>{id}</Link></>)}{call.transferOf ? <> (placed by the transfer of <Link href={`/calls/${encodeURIComponent(call.transferOf)}`}>{call.transferOf}</Link>)</> : null}</dd>
        <dt>Agent turns</dt><dd>{call.agentTurns.length === 0 ? '—' : call.agentTurns.map((t) => t.said ?? t.heard).join(' · ')}</dd>
      </dl>
      <p class="inline">
        <button type="button" onClick={() => void play()}>Play the recording</button>
        <a href={`/_emulator/calls/${encodeURIComponent(call.id)}/pcap`} download={`${call.id}.pcap`}>Download the pcap</a>
        {audio.url && <audio controls autoplay src={audio.url} aria-label="What the emulator's softphone heard" />}
        {audio.error && <span role="alert">{audio.error}</span>}
      </p>
    </>
  );
}

/** The ladder: a column per party, an arrow per message; selecting an arrow shows the raw message. */
export function LadderView({ ladder }: { ladder: Ladder }): JSX.Element {
  const [selected, setSelected] = useState<LadderArrow | null>(null);
  const n = Math.max(ladder.columns.length, 1);
  const first = ladder.rows[0]?.wall ?? 0;
  const at = (i: number) => `${((i + 0.5) / n) * 100}%`;
  // A note sits on its party's lifeline; at the outer columns it leans inwards rather than off the edge.
  const noteStyle = (column: number) =>
    column < 0 ? { left: '50%' } : column === 0 && n > 1 ? { left: '0', transform: 'none' } : column === n - 1 && n > 1 ? { left: 'auto', right: '0', transform: 'none' } : { left: at(column) };
  let previous = first;
  return (
    <div class="ladder-layout">
      <section aria-labelledby="ladder-h" class="card ladder-card">
        <h2 id="ladder-h">SIP ladder <small>({ladder.rows.filter((r) => r.type === 'arrow').length} messages)</small></h2>
        <div class="ladder" style={{ '--cols': String(n), minWidth: `${7 + n * 9}rem` }}>
          <div class="ladder-head">
            <span class="time">time · Δ</span>
            <div class="lanes">
              {ladder.columns.map((c, i) => (
                <div class="col-head" data-party={c.party} style={{ left: at(i) }} title={c.detail}>
                  <b>{c.label}</b>
                  <small>{c.detail}</small>
                </div>
              ))}
            </div>
          </div>
          <ol class="ladder-rows">
            {ladder.rows.map((row) => {
              const delta = row.wall - previous;
              previous = row.wall;
              const time = (
                <span class="time">
                  {((row.wall - first) / 1000).toFixed(3)} s<small>Δ {duration(delta)}</small>
                </span>
              );
              if (row.type === 'event') {
                return (
                  <li class={`row event ${row.tone}`} key={row.seq}>
                    {time}
                    <div class="lanes">
                      <span class="note" style={noteStyle(row.column)} title={row.text}>{row.text}</span>
                    </div>
                  </li>
                );
              }
              const lo = Math.min(row.from, row.to);
              const from = ladder.columns[row.from]!;
              const to = ladder.columns[row.to]!;
              return (
                <li class={`row message${row.retransmission ? ' retrans' : ''}${selected?.seq === row.seq ? ' selected' : ''}`} key={row.seq}>
                  {time}
                  <div class="lanes">
                    <button
                      type="button"
                      class={`arrow ${row.to >= row.from ? 'ltr' : 'rtl'}`}
                      style={{ left: at(lo), width: `${(Math.abs(row.to - row.from) / n) * 100}%` }}
                      data-label={row.label}
                      data-from={from.party}
                      data-to={to.party}
                      aria-pressed={selected?.seq === row.seq}
                      aria-label={`${row.label}${row.retransmission ? ' (retransmission)' : ''} from ${from.label} to ${to.label}${row.body ? `, ${row.body}` : ''}`}
                      onClick={() => setSelected(row)}
                    >
                      <span class="label">{row.label}{row.retransmission ? ' ↻' : ''}</span>
                      {/* A response says what it answers (CSeq) when it carries no body to summarise. */}
                      {(row.body ?? (/^\d/.test(row.label) ? row.cseq : undefined)) && <span class="sdp">{row.body ?? `CSeq ${row.cseq}`}</span>}
                    </button>
                  </div>
                </li>
              );
            })}
          </ol>
        </div>
      </section>
      <aside aria-label="Raw message" class="card raw">
        <h2>Raw message</h2>
        {selected ? (
          <>
            <p>
              <b>{selected.label}</b> {ladder.columns[selected.from]!.label} → {ladder.columns[selected.to]!.label} over {selected.transport}
              {selected.cseq ? `, CSeq ${selected.cseq}` : ''}{selected.retransmission ? ', a retransmission' : ''}
              <br />
              <small>{selected.entry.local} {selected.entry.direction === 'out' ? '→' : '←'} {selected.entry.remote} · journal #{selected.seq} · {clockTime(selected.wall)}</small>
            </p>
            <pre class="sip">{selected.entry.text}</pre>
          </>
        ) : (
          <p class="empty">Select an arrow to see its message (digest responses redacted).</p>
        )}
      </aside>
    </div>
  );
}
