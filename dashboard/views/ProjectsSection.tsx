import { Component, type JSX } from 'preact';
import type { Project, ProjectSipConnection } from '../../emulator/generated/index.js';
import { Link } from '../router.js';
import { unixTime } from '../format.js';
import { useDashboard } from '../store.js';

/** Every project (API key) with its agents and SIP connections, statuses changing live. */
export function ProjectsSection(): JSX.Element {
  const { projects } = useDashboard();
  return (
    <section aria-labelledby="projects-h" class="card wide">
      <h2 id="projects-h">Projects</h2>
      {projects.length === 0 && <p class="empty">No project yet: send any request to /public with an X-Api-Key (each key is a project).</p>}
      {projects.map((p) => (
        <ProjectView key={p.apiKey} project={p} />
      ))}
      <RecentErrors projects={projects} />
    </section>
  );
}

function ProjectView({ project }: { project: Project }): JSX.Element {
  const id = `project-${project.apiKeyId}`;
  const online = project.sipConnections.filter((c) => c.status.sipStatus === 'online' || c.status.sipStatus === 'calling').length;
  return (
    <article aria-labelledby={id} class="project">
      <h3 id={id}>
        Project <code>{project.apiKey}</code> <small>({project.apiKeyId})</small>
      </h3>
      <p class="counts">
        {project.agents.length} agent{project.agents.length === 1 ? '' : 's'} · {project.sipConnections.length} SIP connection{project.sipConnections.length === 1 ? '' : 's'}, {online} online
      </p>
      {project.agents.length > 0 && (
        <div class="scroll">
          <table aria-label={`Agents of ${project.apiKey}`}>
            <thead>
              <tr><th scope="col">Agent</th><th scope="col">Voice</th><th scope="col">Channel configs</th><th scope="col">Created</th></tr>
            </thead>
            <tbody>
              {project.agents.map((a) => (
                <tr key={a.id}>
                  <td>{a.name ?? '(no name)'} <code class="id">{a.id}</code></td>
                  <td>{a.voiceId}{a.language ? `, ${a.language}` : ''}</td>
                  <td>{a.channels.length === 0 ? 'none' : a.channels.map((c) => `${c.channelType}${c.humanHandoff?.enabled ? ` (handoff → ${c.humanHandoff.transferExtension ?? '?'})` : ''}`).join(', ')}</td>
                  <td>{unixTime(a.created)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {project.sipConnections.length > 0 && (
        <div class="scroll">
          <table aria-label={`SIP connections of ${project.apiKey}`} class="connections">
            <thead>
              <tr><th scope="col">Connection</th><th scope="col">Registers as</th><th scope="col">Status</th><th scope="col">Last refreshed</th><th scope="col">Errors</th><th scope="col">Journal</th></tr>
            </thead>
            <tbody>
              {project.sipConnections.map((c) => (
                <ConnectionRow key={c.id} connection={c} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </article>
  );
}

/** One row per connection, re-rendered only when its object changes (a thousand rows stay cheap). */
class ConnectionRow extends Component<{ connection: ProjectSipConnection }> {
  override shouldComponentUpdate(next: { connection: ProjectSipConnection }): boolean {
    return next.connection !== this.props.connection;
  }

  override render(): JSX.Element {
    const c = this.props.connection;
    const { lifecycleStatus, sipStatus, message } = c.status;
    const last = c.errors[c.errors.length - 1];
    return (
      <tr data-connection={c.id}>
        <td>{c.name ?? '(no name)'} <code class="id">{c.id}</code></td>
        <td>{c.settings.username}@{c.settings.domain} via {c.settings.server} ({c.settings.transport})</td>
        <td>
          <span class={`status ${lifecycleStatus.toLowerCase()} ${sipStatus ?? ''}`} data-status={`${lifecycleStatus}/${sipStatus ?? ''}`}>
            {lifecycleStatus}{sipStatus ? `/${sipStatus}` : ''}
          </span>
          {message && <small class="message"> {message}</small>}
        </td>
        <td>{unixTime(c.status.lastRefreshed)}</td>
        <td>
          {c.errors.length === 0 ? '—' : (
            <details>
              <summary>{c.errors.length}: {last!.code} {last!.message}</summary>
              <ol>{c.errors.slice(-10).map((e) => <li>{e.timestamp} {e.code} {e.message}</li>)}</ol>
            </details>
          )}
        </td>
        <td><Link href={`/journal?connectionId=${encodeURIComponent(c.id)}`}>entries</Link></td>
      </tr>
    );
  }
}

/** The error logs of every connection, newest first: what went wrong anywhere. */
function RecentErrors({ projects }: { projects: Project[] }): JSX.Element | null {
  const errors = projects.flatMap((p) => p.sipConnections.flatMap((c) => c.errors.map((e) => ({ ...e, connectionId: c.id, project: p.apiKey }))));
  if (errors.length === 0) return null;
  errors.sort((a, b) => b.timestamp.localeCompare(a.timestamp));
  return (
    <article aria-labelledby="errors-h" class="errors">
      <h3 id="errors-h">Error log (latest {Math.min(errors.length, 20)} of {errors.length})</h3>
      <ul>
        {errors.slice(0, 20).map((e) => (
          <li>{e.timestamp} <code class="id">{e.connectionId}</code> ({e.project}): <b>{e.code}</b> {e.message}</li>
        ))}
      </ul>
    </article>
  );
}
