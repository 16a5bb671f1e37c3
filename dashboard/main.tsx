import { render, type JSX } from 'preact';
import { Link, useLocation } from './router.js';
import { start, useDashboard } from './store.js';
import { CallLadder } from './views/CallLadder.js';
import { Calls } from './views/Calls.js';
import { Journal } from './views/Journal.js';
import { Overview } from './views/Overview.js';
import { Scenarios } from './views/Scenarios.js';

const views = [
  { path: '/', label: 'Overview' },
  { path: '/calls', label: 'Calls' },
  { path: '/journal', label: 'Journal' },
  { path: '/scenarios', label: 'Scenarios' },
];

function View({ path }: { path: string }): JSX.Element {
  const call = /^\/calls\/([^/]+)$/.exec(path);
  if (call) return <CallLadder callId={decodeURIComponent(call[1]!)} />;
  if (path === '/calls') return <Calls />;
  if (path === '/journal') return <Journal />;
  if (path === '/scenarios') return <Scenarios />;
  return <Overview />;
}

function App(): JSX.Element {
  const { path } = useLocation();
  const { live, error, health } = useDashboard();
  const active = views.filter((v) => v.path === '/' ? path === '/' : path.startsWith(v.path)).pop();
  return (
    <>
      <header class="top">
        <span class="brand">omnisip</span>
        <nav aria-label="Views">
          {views.map((v) => (
            <Link href={v.path} aria-current={v === active ? 'page' : undefined}>
              {v.label}
            </Link>
          ))}
          <a href="/docs">API docs</a>
        </nav>
        <span class={`live ${live}`} role="status" aria-label="Event stream">
          {live === 'live' ? '● live' : live === 'connecting' ? 'connecting…' : 'reconnecting…'}
          {health ? ` · v${health.version}` : ''}
        </span>
      </header>
      {error && (
        <p class="banner" role="alert">
          {error}
        </p>
      )}
      <View path={path} />
    </>
  );
}

const root = document.getElementById('app')!;
// The page's placeholder ("Loading…") goes; Preact would otherwise render beside it.
root.textContent = '';
render(<App />, root);
void start();
