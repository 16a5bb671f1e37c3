import type { JSX } from 'preact';
import { isoTime } from '../format.js';
import { useDashboard } from '../store.js';

/** The built-in PBX: its accounts and their registrations. */
export function PbxSection(): JSX.Element {
  const { pbx, clock } = useDashboard();
  return (
    <section aria-labelledby="pbx-h" class="card">
      <h2 id="pbx-h">PBX</h2>
      {pbx === null ? (
        <p class="empty">This emulator runs without its PBX (API only).</p>
      ) : pbx.length === 0 ? (
        <p class="empty">No account yet: accounts mirror each SIP connection's credentials; PUT /_emulator/pbx/accounts/{'{username}'} adds one.</p>
      ) : (
        <div class="scroll">
          <table aria-label="PBX accounts and registrations">
            <thead>
              <tr><th scope="col">Account</th><th scope="col">Source</th><th scope="col">Contact</th><th scope="col">Transport</th><th scope="col">Expires</th></tr>
            </thead>
            <tbody>
              {pbx.flatMap((a) =>
                (a.contacts.length ? a.contacts : [null]).map((contact, i) => (
                  <tr key={`${a.username}-${i}`}>
                    {i === 0 && <td rowSpan={Math.max(1, a.contacts.length)}>{a.username}{a.domain ? `@${a.domain}` : ''}</td>}
                    {i === 0 && <td rowSpan={Math.max(1, a.contacts.length)}>{a.source}</td>}
                    <td>{contact ? <code>{contact.uri}</code> : <i>not registered</i>}</td>
                    <td>{contact?.transport ?? ''}</td>
                    <td>{contact ? `${isoTime(contact.expiresAt)}${clock ? ` (in ${Math.max(0, Math.round((contact.expiresAt - clock.now) / 1000))} s)` : ''}` : ''}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
