import { EmulatorClient } from './session/EmulatorClient.js';
import { ScenarioFailure } from './session/ScenarioFailure.js';
import { ScenarioSession } from './session/ScenarioSession.js';
import { startScenarioWorld, type ScenarioWorldOptions } from './runner/startScenarioWorld.js';

export interface ScenarioOptions extends ScenarioWorldOptions {
  /** Run against this emulator instead of a fresh world. */
  baseUrl?: string;
  /** The X-Api-Key of public API steps. Default `scenario-<name>`. */
  apiKey?: string;
}

/** What a script's steps get: the scenario's steps as typed functions, and where its world is. */
export interface ScenarioContext extends ScenarioSession {
  readonly url: string;
  readonly key: string;
}

/**
 * A scenario as a TypeScript script: the same steps as a scenario file, as typed functions, in a
 * fresh world of its own (its own key, ports 0, seed 1 and a virtual clock unless told otherwise).
 * A step whose expectation fails throws a ScenarioFailure whose message has the diff and the
 * call's ladder, which is what vitest or jest print.
 *
 * @example
 * import { scenario } from 'omniagent-sip-emulator';
 * it('a wrong password shows 401 in the error log', () =>
 *   scenario('wrong password', async (s) => {
 *     const agent = await s.api({ method: 'POST', path: '/public/agents', body: agentBody, expect: { status: 200 } });
 *     await s.account({ username: '101', password: 'right' });
 *     const conn = await s.api({ method: 'POST', path: '/public/sip-connections', body: connection(agent.body.id, 'wrong') });
 *     await s.wait({ connection: conn.body.id, status: 'Running/registering', within: '30s' });
 *     await s.expect({ errors: conn.body.id, contains: { code: 401 } });
 *   }));
 */
export async function scenario<T>(name: string, body: (s: ScenarioContext) => Promise<T>, options: ScenarioOptions = {}): Promise<T> {
  const world = options.baseUrl === undefined ? await startScenarioWorld(options) : undefined;
  const url = options.baseUrl ?? world!.url;
  const key = options.apiKey ?? `scenario-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
  const client = new EmulatorClient(url, key);
  const since = world ? 0 : ((await client.control<{ lastSeq: number }>('GET', '/journal?limit=1')).lastSeq ?? 0);
  const session = Object.assign(new ScenarioSession(client, since), { url, key }) as ScenarioContext;
  try {
    return await body(session);
  } catch (error) {
    if (error instanceof ScenarioFailure) error.message = `scenario '${name}': ${error.render()}`;
    throw error;
  } finally {
    await world?.close();
  }
}
