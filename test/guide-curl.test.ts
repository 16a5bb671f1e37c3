import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';

/**
 * The vendor SIP guide's own curl examples, taken from the guide file as written and run with the
 * real curl binary against the emulator, in the guide's order. Only the base URL, the API key and
 * the docs' placeholder ids (replaced by the ids the emulator returned) change.
 */
// A verbatim copy of the vendor's guide lives in the repository, so the test runs on any clone.
const guidePath = fileURLToPath(new URL('../docs/reference/omniagent-sip-guide.md', import.meta.url));
const vendorBaseUrl = 'https://companion-api.napster.com';
const apiKey = 'guide-curl-key';
const guidePassword = 'your-sip-password';
const provisionDelayMs = 1000;

interface CurlExample {
  /** The command's words after `curl`, as a POSIX shell would split them. */
  args: string[];
  /** The JSON the guide shows after "Response:", if any. */
  response?: unknown;
}

/**
 * Splits the guide's text into curl commands. The page was flattened from HTML, so a command can
 * run straight into the next text (`}'Response:`, `$NAPSTER_API_KEY"Deleting`): a closing quote
 * followed by a non-space ends the command, as does a newline without a trailing backslash.
 */
function extractCurlExamples(text: string, env: Record<string, string>): CurlExample[] {
  const starts = [...text.matchAll(/^curl /gm)].map((m) => m.index);
  return starts.map((start, n) => {
    const words: string[] = [];
    let word: string | undefined;
    let quote: '"' | "'" | undefined;
    let i = start + 'curl '.length;
    const push = () => {
      if (word !== undefined) words.push(word);
      word = undefined;
    };
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (quote === "'") {
        if (c === "'") quote = undefined;
        else word += c;
      } else if (quote === '"' && c === '"') {
        quote = undefined;
      } else if (c === '$' && /[A-Za-z_]/.test(text[i + 1] ?? '')) {
        const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0] ?? '';
        word = (word ?? '') + (env[name] ?? '');
        i += name.length;
      } else if (quote === '"') {
        word += c;
      } else if (c === "'" || c === '"') {
        quote = c;
        word ??= '';
      } else if (c === '\\' && text[i + 1] === '\n') {
        i++;
      } else if (c === '\n') {
        break;
      } else if (c === ' ' || c === '\t') {
        push();
      } else {
        word = (word ?? '') + c;
      }
      // A closing quote glued to the next words of the page ends the command.
      if (quote === undefined && (c === "'" || c === '"') && word !== undefined && !/\s/.test(text[i + 1] ?? ' ')) break;
    }
    push();
    const end = starts[n + 1] ?? text.length;
    const after = text.slice(i, end);
    const marker = after.indexOf('Response:');
    return { args: words, ...(marker >= 0 ? { response: firstJsonValue(after.slice(marker)) } : {}) };
  });
}

/** The first balanced JSON object or array in `text`, parsed. */
function firstJsonValue(text: string): unknown {
  const begin = text.search(/[[{]/);
  let depth = 0;
  let inString = false;
  for (let i = begin; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) return JSON.parse(text.slice(begin, i + 1));
  }
  throw new Error(`no complete JSON value after "Response:" in: ${text.slice(0, 200)}`);
}

const run = promisify(execFile);

/** Runs one example with curl, swapping the base URL and the docs' placeholder ids. */
async function curl(example: CurlExample, ids: Record<string, string>): Promise<{ status: number; text: string; body: unknown }> {
  const args = example.args.map((arg) => {
    let out = arg.replace(vendorBaseUrl, emulator.url);
    for (const [placeholder, id] of Object.entries(ids)) out = out.split(placeholder).join(id);
    return out;
  });
  const { stdout } = await run('curl', ['-sS', '--max-time', '10', '-w', '\n%{http_code}', ...args]);
  const cut = stdout.lastIndexOf('\n');
  const text = stdout.slice(0, cut);
  expect(text).not.toContain(guidePassword);
  return { status: Number(stdout.slice(cut + 1)), text, body: text ? JSON.parse(text) : undefined };
}

const nearNow = (seconds: unknown) => {
  expect(Number.isInteger(seconds)).toBe(true);
  expect(Math.abs((seconds as number) - Date.now() / 1000)).toBeLessThan(120);
};

let emulator: RunningEmulator;
const examples = extractCurlExamples(readFileSync(guidePath, 'utf8'), { NAPSTER_API_KEY: apiKey });

beforeAll(async () => {
  // The built-in PBX (on an ephemeral loopback port) serves the guide's sip.your-provider.com.
  emulator = await startEmulator({ apiPort: 0, sipPort: 0, clock: 'virtual', provisionDelayMs, logLevel: 'silent', validateResponses: true, seed: 7, clockStart: Date.now() });
});
afterAll(() => emulator?.close());

describe("the SIP guide's curl examples", () => {
  it('finds the nine examples in the guide, in order', () => {
    const summary = examples.map((e) => `${e.args.includes('-X') ? e.args[e.args.indexOf('-X') + 1] : 'GET'} ${e.args.find((a) => a.startsWith(vendorBaseUrl))?.slice(vendorBaseUrl.length)}`);
    expect(summary).toEqual([
      'POST /public/agents',
      'PUT /public/agents/agent_abc123/channels/sip',
      'POST /public/sip-connections',
      'POST /public/sip-connections/sipconn_abc123/status',
      'GET /public/sip-connections/sipconn_abc123/errors',
      'PUT /public/agents/agent_abc123/channels/sip',
      'GET /public/sip-connections',
      'PATCH /public/sip-connections/sipconn_abc123',
      'DELETE /public/sip-connections/sipconn_abc123',
    ]);
    expect(examples.every((e) => e.args.includes(`X-Api-Key: ${apiKey}`))).toBe(true);
    expect(examples.filter((e) => e.response !== undefined)).toHaveLength(5);
  });

  it('runs the whole flow as the guide shows it: agent, sip channel, connection, status, errors, list, rename, delete', async () => {
    const [createAgent, putChannel, createConnection, status, errors, putHandoff, list, rename, remove] = examples as [CurlExample, ...CurlExample[]] & CurlExample[];
    const ids: Record<string, string> = {};

    const agent = await curl(createAgent, ids);
    expect(agent.status).toBe(200);
    const agentBody = agent.body as { id: string; created: number };
    expect(agentBody.id).toMatch(/^agent_[a-z0-9]{20,}$/);
    nearNow(agentBody.created);
    expect(agent.body).toEqual({ ...(createAgent.response as object), id: agentBody.id, created: agentBody.created });
    ids.agent_abc123 = agentBody.id;

    const channel = await curl(putChannel!, ids);
    expect(channel.status).toBe(200);
    const channelBody = channel.body as { id: string; apiKeyId: string; created: number };
    expect(channelBody.id).toMatch(/^chanconfig_[a-z0-9]{20,}$/);
    expect(channelBody.apiKeyId).toMatch(/^key_[a-f0-9]{12}$/);
    nearNow(channelBody.created);
    expect(channel.body).toEqual({ ...(putChannel!.response as object), id: channelBody.id, apiKeyId: channelBody.apiKeyId, created: channelBody.created });

    const connection = await curl(createConnection!, ids);
    expect(connection.status).toBe(200);
    const connectionBody = connection.body as { id: string; created: number; status: { lastRefreshed: number } };
    expect(connectionBody.id).toMatch(/^sipconn_[a-z0-9]{20,}$/);
    nearNow(connectionBody.created);
    const guideConnection = createConnection!.response as { status: object };
    expect(connection.body).toEqual({
      ...guideConnection,
      id: connectionBody.id,
      agentId: agentBody.id,
      status: { ...guideConnection.status, lifecycleStatus: 'Pending', sipStatus: null, lastRefreshed: connectionBody.status.lastRefreshed },
      created: connectionBody.created,
    });
    ids.sipconn_abc123 = connectionBody.id;

    // Provisioning takes `provisionDelayMs` of emulator time; move the virtual clock past it.
    const advanced = await fetch(`${emulator.url}/_emulator/clock/advance`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ms: provisionDelayMs }) });
    expect(advanced.ok).toBe(true);

    const refreshed = await curl(status!, ids);
    expect(refreshed.status).toBe(200);
    const refreshedBody = refreshed.body as { status: { sipStatus: string; lastRefreshed: number }; created: number };
    expect(Object.keys(refreshedBody)).toEqual(Object.keys(status!.response as object));
    expect(refreshedBody.status).toEqual({ lifecycleStatus: 'Running', sipStatus: expect.stringMatching(/^(registering|online)$/), message: null, lastRefreshed: expect.any(Number) });
    nearNow(refreshedBody.status.lastRefreshed);
    expect(refreshedBody.created).toBe(connectionBody.created);

    // Registration with the built-in PBX runs on real sockets: wait for it, then the guide's answer.
    await emulator.control.waitForStatus(connectionBody.id, (s) => s.sipStatus === 'online', 5000);
    const online = await curl(status!, ids);
    const onlineBody = online.body as { status: { lastRefreshed: number }; created: number };
    expect(online.body).toEqual({ ...(status!.response as object), status: { ...(status!.response as { status: object }).status, lastRefreshed: onlineBody.status.lastRefreshed }, created: connectionBody.created });
    nearNow(onlineBody.status.lastRefreshed);

    const log = await curl(errors!, ids);
    expect(log.status).toBe(200);
    expect(Array.isArray(log.body)).toBe(true);
    const guideEntryKeys = Object.keys((errors!.response as object[])[0]!).sort();
    for (const entry of log.body as object[]) expect(Object.keys(entry).sort()).toEqual(guideEntryKeys);

    const handoff = await curl(putHandoff!, ids);
    expect(handoff.status).toBe(200);
    expect(handoff.body).toEqual(channel.body);

    const listed = await curl(list!, ids);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ items: [{ id: connectionBody.id, agentId: agentBody.id, name: 'Main Support Line', status: { lifecycleStatus: 'Running', sipStatus: 'online' } }], filteredCount: 1, totalCount: 1, pageIndex: 0 });

    const renamed = await curl(rename!, ids);
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: connectionBody.id, name: 'Updated Support Line', settings: (connection.body as { settings: object }).settings });

    const deleted = await curl(remove!, ids);
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    const again = await curl(remove!, ids);
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ code: 'SipConnectionNotFound', type: 4, numericType: 4 });
    expect((await curl(status!, ids)).status).toBe(404);
  });
});
