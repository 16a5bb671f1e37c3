import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getIfExists } from '../api.js';
import { clockTime, duration } from '../format.js';
import { Link } from '../router.js';

/**
 * The scenario runs, read from `GET /_emulator/scenarios/runs` when the emulator has it. The
 * scenario runner is being built separately; this is the shape the view expects (the runner's
 * endpoint should answer it, or this view should follow the runner's):
 *
 * ```
 * { items: [ { id, name, file, status: 'passed' | 'failed' | 'running', startedAt (ms), durationMs,
 *              steps: [ { index, line?, description, status: 'passed' | 'failed' | 'skipped', message?, callId? } ] } ] }
 * ```
 * A failing step with a `callId` links to that call's ladder. Until the endpoint exists (404) the
 * view says that no scenario has run.
 */
export interface ScenarioRun {
  id: string;
  name: string;
  file?: string;
  status: 'passed' | 'failed' | 'running';
  startedAt: number;
  durationMs?: number;
  steps: Array<{ index: number; line?: number; description: string; status: 'passed' | 'failed' | 'skipped'; message?: string; callId?: string }>;
}

export function Scenarios(): JSX.Element {
  const [runs, setRuns] = useState<ScenarioRun[] | undefined | 'loading'>('loading');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    getIfExists<{ items: ScenarioRun[] }>('/_emulator/scenarios/runs').then((list) => setRuns(list?.items), (e: Error) => setError(e.message));
  }, []);
  return (
    <main aria-label="Scenarios" class="scenarios">
      <section aria-labelledby="scenarios-h" class="card wide">
        <h2 id="scenarios-h">Scenario runs</h2>
        {error && <p role="alert">{error}</p>}
        {runs === 'loading' ? <p>Loading…</p> : !runs || runs.length === 0 ? (
          <p class="empty">No scenario runs yet.{runs === undefined ? ' (This emulator has no scenario runner: GET /_emulator/scenarios/runs does not exist.)' : ''}</p>
        ) : (
          <ol class="runs">
            {runs.map((run) => (
              <li key={run.id}>
                <b class={`verdict ${run.status}`}>{run.status}</b> {run.name} {run.file ? <code>{run.file}</code> : null} <small>{clockTime(run.startedAt)}{run.durationMs !== undefined ? `, ${duration(run.durationMs)}` : ''}</small>
                <ol>
                  {run.steps.filter((s) => s.status === 'failed').map((s) => (
                    <li>
                      step {s.index + 1}{s.line !== undefined ? ` (line ${s.line})` : ''}: {s.description} — {s.message}
                      {s.callId ? <> · <Link href={`/calls/${encodeURIComponent(s.callId)}`}>call ladder</Link></> : null}
                    </li>
                  ))}
                </ol>
              </li>
            ))}
          </ol>
        )}
      </section>
    </main>
  );
}
