import type { JSX } from 'preact';
import type { CallSummary } from '../../emulator/generated/index.js';
import { duration, clockTime, percent } from '../format.js';
import { Link } from '../router.js';
import { useDashboard } from '../store.js';

/** How long a call has lasted: answered to ended (or to now), or its ringing time if never answered. */
export function callDuration(call: CallSummary, now = Date.now()): string {
  const from = call.answeredAt ?? call.startedAt;
  return duration((call.endedAt ?? now) - from) + (call.answeredAt === null ? ' ringing' : '');
}

export function transferText(call: Pick<CallSummary, 'transfer'>): string {
  const t = call.transfer;
  return t ? `${t.outcome}${t.status !== null ? ` (${t.status})` : ''} → ${t.target}` : '—';
}

export function rtpText(call: Pick<CallSummary, 'rtp'>): string {
  const r = call.rtp;
  return r ? `${r.packetsSent} sent · ${r.packetsReceived} received · ${r.packetsLost} lost (${percent(r.packetsLost, r.packetsReceived + r.packetsLost)})` : '—';
}

/** Active and recent calls, newest first; each opens its ladder. */
export function Calls(): JSX.Element {
  const { calls } = useDashboard();
  const newest = [...calls].reverse();
  const active = newest.filter((c) => c.state !== 'ended').length;
  return (
    <main aria-label="Calls" class="calls">
      <section aria-labelledby="calls-h" class="card wide">
        <h2 id="calls-h">Calls <small>({active} active, {calls.length} in all)</small></h2>
        {calls.length === 0 ? (
          <p class="empty">No call yet. Place one with POST /_emulator/calls, <code>npx omnisip call &lt;extension&gt;</code>, or any SIP phone registered on the PBX.</p>
        ) : (
          <div class="scroll">
            <table aria-label="Calls, newest first">
              <thead>
                <tr><th scope="col">Call</th><th scope="col">From → to</th><th scope="col">State</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Codec</th><th scope="col">RTP</th><th scope="col">Transfer</th></tr>
              </thead>
              <tbody>
                {newest.map((c) => (
                  <tr key={c.id} data-call={c.id}>
                    <td><Link href={`/calls/${encodeURIComponent(c.id)}`}>{c.id}</Link>{c.transferOf ? <small> (transfer of <Link href={`/calls/${encodeURIComponent(c.transferOf)}`}>{c.transferOf}</Link>)</small> : null}</td>
                    <td>{c.from} → {c.to}</td>
                    <td><span class={`state ${c.state}`}>{c.state}</span>{c.endReason ? <small> {c.endReason}</small> : null}</td>
                    <td>{clockTime(c.startedAt)}</td>
                    <td>{callDuration(c)}</td>
                    <td>{c.codec ?? '—'}</td>
                    <td>{rtpText(c)}</td>
                    <td>{transferText(c)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </main>
  );
}
