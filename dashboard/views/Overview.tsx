import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { post } from '../api.js';
import { isoTime } from '../format.js';
import { useDashboard } from '../store.js';
import { FaultsSection } from './FaultsSection.js';
import { PbxSection } from './PbxSection.js';
import { ProjectsSection } from './ProjectsSection.js';

/** The emulator at a glance: clock and reset, projects and their connections, the PBX, fault rules. */
export function Overview(): JSX.Element {
  return (
    <main aria-label="Overview" class="overview">
      <EmulatorSection />
      <PbxSection />
      <ProjectsSection />
      <FaultsSection />
    </main>
  );
}

function EmulatorSection(): JSX.Element {
  const { clock, health } = useDashboard();
  const [ms, setMs] = useState('1000');
  const [message, setMessage] = useState<string | null>(null);
  // A real clock moves by itself: tick the shown time; a virtual one moves only when told (clock.advanced).
  const [, tick] = useState(0);
  useEffect(() => {
    if (clock?.mode !== 'real') return;
    const timer = window.setInterval(() => tick((n) => n + 1), 1000);
    return () => window.clearInterval(timer);
  }, [clock?.mode]);
  const now = clock ? (clock.mode === 'real' ? Date.now() : clock.now) : 0;
  const act = (what: string, run: () => Promise<unknown>) => () => run().then(() => setMessage(`${what}: done`), (e: Error) => setMessage(`${what} failed: ${e.message}`));
  const advance = (event: Event) => {
    event.preventDefault();
    void act(`advance ${ms} ms`, () => post('/_emulator/clock/advance', { ms: Number(ms) }))();
  };
  return (
    <section aria-labelledby="emulator-h" class="card">
      <h2 id="emulator-h">Emulator</h2>
      <dl class="facts">
        <dt>Clock</dt>
        <dd>
          {clock ? `${clock.mode}, ${isoTime(now)}` : '…'}
          {clock && clock.pendingTimers > 0 ? ` · ${clock.pendingTimers} timer${clock.pendingTimers > 1 ? 's' : ''} pending, next ${clock.nextTimerAt === null ? '—' : isoTime(clock.nextTimerAt)}` : ''}
        </dd>
        <dt>Ports</dt>
        <dd>{health ? `API ${health.ports.api}${health.ports.sip !== undefined ? ` · PBX ${health.ports.sip} (UDP+TCP)` : ' · no PBX (--no-sip)'}` : '…'}</dd>
        <dt>Seed</dt>
        <dd>{health ? (health.seed === null ? 'not seeded' : String(health.seed)) : '…'}</dd>
      </dl>
      {clock?.mode === 'virtual' && (
        <form class="inline" onSubmit={advance} aria-label="Advance the virtual clock">
          <label>
            Advance by (ms) <input type="number" min="0" value={ms} onInput={(e) => setMs((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit">Advance</button>
          <button type="button" onClick={act('to the next timer', () => post('/_emulator/clock/advance', { toNextTimer: true }))}>
            To next timer
          </button>
        </form>
      )}
      <p class="inline">
        <button type="button" class="danger" onClick={() => window.confirm('Forget every project, call, fault rule and PBX change?') && void act('reset', () => post('/_emulator/reset'))()}>
          Reset the emulator
        </button>
        {message && <span role="status">{message}</span>}
      </p>
    </section>
  );
}
