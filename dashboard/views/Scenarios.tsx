import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getIfExists } from '../api.js';
import { clockTime, duration } from '../format.js';
import { Link } from '../router.js';

/**
 * The scenario runs reported to this emulator (`omnisip scenario run --base-url` against it), from
 * `GET /_emulator/scenarios/runs`: each run's verdict, and each failing step with its line, its
 * story (where, the diff, the ladder) and a link to the call's ladder. An emulator without the
 * endpoint (404) is said to have no runner.
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
                      step {s.index + 1}{s.line !== undefined ? ` (line ${s.line})` : ''}: <code>{s.description}</code>
                      {s.callId ? <> · <Link href={`/calls/${encodeURIComponent(s.callId)}`}>call ladder</Link></> : null}
                      {s.message ? <pre class="story">{s.message}</pre> : null}
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
