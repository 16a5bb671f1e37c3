import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { FaultRule, FaultRuleCreate } from '../../emulator/generated/index.js';
import { del, get, post } from '../api.js';
import { useDashboard } from '../store.js';

type Target = 'api' | 'lifecycle' | 'sip';
/** The actions each target takes (control-openapi.yaml, FaultRuleCreate). */
const actionsFor: Record<Target, string[]> = { api: ['respond', 'delay'], lifecycle: ['fail', 'crash', 'delay'], sip: ['respond', 'drop', 'delay'] };

const describeMatch = (r: FaultRule): string => Object.entries(r.match).filter(([k]) => k !== 'target').map(([k, v]) => `${k}=${String(v)}`).join(' ') || 'everything';
const describeAction = (r: FaultRule): string => Object.entries(r.action).map(([k, v]) => (k === 'type' ? String(v) : `${k}=${String(v)}`)).join(' ');

/** The active fault rules, with a form to add one and a button to remove each. */
export function FaultsSection(): JSX.Element {
  const { faults } = useDashboard();
  return (
    <section aria-labelledby="faults-h" class="card">
      <h2 id="faults-h">Fault rules</h2>
      {faults.length === 0 ? (
        <p class="empty">No fault rule: everything behaves.</p>
      ) : (
        <div class="scroll">
          <table aria-label="Active fault rules">
            <thead>
              <tr><th scope="col">Rule</th><th scope="col">Matches</th><th scope="col">Does</th><th scope="col">Hits</th><th scope="col">Left</th><th scope="col"><span class="sr">Remove</span></th></tr>
            </thead>
            <tbody>
              {faults.map((r) => (
                <tr key={r.id} data-fault={r.id}>
                  <td><code class="id">{r.id}</code>{r.description ? <small> {r.description}</small> : null}</td>
                  <td>{r.match.target}: {describeMatch(r)}{r.probability !== undefined ? ` (p=${r.probability})` : ''}</td>
                  <td>{describeAction(r)}</td>
                  <td>{r.hits}</td>
                  <td>{r.remaining ?? '∞'}</td>
                  <td><button type="button" aria-label={`Remove fault rule ${r.id}`} onClick={() => void del(`/_emulator/faults/${encodeURIComponent(r.id)}`)}>Remove</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <FaultForm />
    </section>
  );
}

function FaultForm(): JSX.Element {
  const [target, setTarget] = useState<Target>('api');
  const [fields, setFields] = useState<Record<string, string>>({ action: 'respond', status: '503' });
  const [operations, setOperations] = useState<string[]>([]);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    get<{ routes: Array<{ operationId: string }> }>('/public').then((index) => setOperations(index.routes.map((r) => r.operationId)), () => undefined);
  }, []);
  const field = (name: string) => ({ value: fields[name] ?? '', onInput: (e: Event) => setFields({ ...fields, [name]: (e.target as HTMLInputElement).value }) });
  const action = actionsFor[target].includes(fields.action ?? '') ? fields.action! : actionsFor[target][0]!;
  const text = (name: string, label: string, extra: JSX.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <label>{label} <input name={name} {...field(name)} {...extra} /></label>
  );

  const submit = async (event: Event) => {
    event.preventDefault();
    const pick = (names: string[], numbers: string[] = []) => Object.fromEntries(names.filter((n) => fields[n]).map((n) => [n, numbers.includes(n) ? Number(fields[n]) : fields[n]]));
    const match: Record<string, unknown> = { target, ...pick(target === 'api' ? ['operation', 'method', 'path'] : target === 'sip' ? ['method', 'account', 'connectionId'] : ['event', 'connectionId']) };
    if (target === 'lifecycle') match.event = fields.event || (action === 'crash' ? 'running' : 'provisioning');
    const body = {
      match,
      action: { type: action, ...pick(action === 'respond' ? ['status', 'retryAfter'] : action === 'delay' ? ['ms'] : action === 'crash' ? ['message', 'restartAfterMs'] : action === 'fail' ? ['message'] : [], ['status', 'retryAfter', 'ms', 'restartAfterMs']) },
      ...pick(['times', 'probability', 'description'], ['times', 'probability']),
    } as unknown as FaultRuleCreate;
    try {
      const rule = await post<FaultRule>('/_emulator/faults', body);
      setResult({ ok: true, text: `Added ${rule.id}.` });
    } catch (error) {
      setResult({ ok: false, text: (error as Error).message });
    }
  };

  return (
    <form class="fault-form" onSubmit={(e) => void submit(e)} aria-labelledby="fault-form-h">
      <h3 id="fault-form-h">Add a fault rule</h3>
      <label>
        Target{' '}
        <select name="target" value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value as Target)}>
          <option value="api">public API request</option>
          <option value="lifecycle">listener lifecycle</option>
          <option value="sip">SIP message at the PBX</option>
        </select>
      </label>
      {target === 'api' && (
        <label>
          Operation{' '}
          <select name="operation" {...field('operation')} onChange={field('operation').onInput}>
            <option value="">any</option>
            {operations.map((op) => <option value={op}>{op}</option>)}
          </select>
        </label>
      )}
      {target === 'lifecycle' && (
        <label>
          Event{' '}
          <select name="event" {...field('event')} onChange={field('event').onInput}>
            <option value="">{action === 'crash' ? 'running' : 'provisioning'}</option>
            <option value="provisioning">provisioning</option>
            <option value="running">running</option>
          </select>
        </label>
      )}
      {target === 'sip' && text('method', 'SIP method', { placeholder: 'REGISTER' })}
      {target === 'sip' && text('account', 'Account', { placeholder: 'your-sip-username' })}
      {target !== 'api' && text('connectionId', 'Connection id', { placeholder: 'any' })}
      <label>
        Action{' '}
        <select name="action" value={action} onChange={(e) => setFields({ ...fields, action: (e.target as HTMLSelectElement).value })}>
          {actionsFor[target].map((a) => <option value={a}>{a}</option>)}
        </select>
      </label>
      {action === 'respond' && text('status', 'Status', { type: 'number', min: 100, max: 599, required: true })}
      {action === 'respond' && target === 'api' && text('retryAfter', 'Retry-After (s)', { type: 'number', min: 0 })}
      {action === 'delay' && text('ms', 'Delay (ms)', { type: 'number', min: 0, required: true })}
      {(action === 'fail' || action === 'crash') && text('message', 'Message')}
      {action === 'crash' && text('restartAfterMs', 'Restart after (ms)', { type: 'number', min: 0 })}
      {text('times', 'Times', { type: 'number', min: 1, placeholder: 'unlimited' })}
      {text('probability', 'Probability', { type: 'number', min: 0, max: 1, step: 'any', placeholder: '1' })}
      {text('description', 'Note')}
      <button type="submit">Add rule</button>
      {result && <p role={result.ok ? 'status' : 'alert'} class={result.ok ? 'ok' : 'bad'}>{result.text}</p>}
    </form>
  );
}
