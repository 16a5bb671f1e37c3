import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JournalEntry } from '../emulator/journal/index.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { peerAvailable, skipReason } from './support/peers.js';

/**
 * The README's guide flow, its calls and its library example, run exactly as printed (issue 9:
 * the guide never said how $AGENT_ID got set, so run as written it failed). Each block is found
 * by its `<!-- readme-test: NAME -->` marker; the only change is the base URL, the emulator's.
 */
const root = join(import.meta.dirname, '..');
const run = promisify(execFile);

async function readmeBlock(name: string): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const block = new RegExp(`<!-- readme-test: ${name} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
  if (!block) throw new Error(`README.md has no block marked <!-- readme-test: ${name} -->`);
  return block;
}

const tools = peerAvailable('curl') && peerAvailable('jq');

describe.skipIf(!tools)(tools ? "the README's guide, in a shell" : `the README's guide (skipped: ${skipReason('jq')})`, () => {
  let emulator: RunningEmulator;
  let dir: string;
  const shell = async (script: string, env: Record<string, string> = {}) => {
    const { stdout, stderr } = await run('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: dir, env: { ...process.env, ...env }, timeout: 30_000 });
    return { stdout, stderr };
  };

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 300, logLevel: 'silent', validateResponses: true });
    dir = await mkdtemp(join(tmpdir(), 'omnisip-readme-'));
  });
  afterAll(async () => {
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the agent, channel and connection, each step finding the id the last one printed', async () => {
    const guide = await readmeBlock('guide');
    expect(guide).toContain('BASE=http://127.0.0.1:4010\n');
    const { stdout, stderr } = await shell(guide.replace('BASE=http://127.0.0.1:4010\n', `BASE=${emulator.url}\n`));
    expect(stderr).toBe('');
    expect(stdout).not.toMatch(/RouteNotFound|"code":/);
    expect(stdout).not.toContain('your-sip-password');
    const agentId = /^agent: (agent_[a-z0-9]+)$/m.exec(stdout)?.[1];
    const connectionId = /^connection: (sipconn_[a-z0-9]+)$/m.exec(stdout)?.[1];
    expect(agentId, stdout).toBeDefined();
    expect(connectionId, stdout).toBeDefined();
    expect(stdout).toMatch(/"channelType":"sip","humanHandoff":\{"enabled":true,"transferExtension":"200"/);
    expect(stdout).toMatch(/\{"status":\{"lifecycleStatus":"(Pending|Running)"/);
    expect(stdout.trimEnd().endsWith('[]')).toBe(true);
    // The guide's connection goes online on the built-in PBX, whatever "port" it names.
    await emulator.control.waitForStatus(connectionId!, (s) => s.sipStatus === 'online', 10_000);
  });

  it('then calls the agent, hands the call off with DTMF 0, and saves the pcap and the recording', async () => {
    const handedOff = emulator.control.journal.waitFor((e: JournalEntry) => e.kind === 'transfer' && e.phase === 'succeeded', 20_000, 'the handoff to 200');
    const { stdout, stderr } = await shell(await readmeBlock('calls'), { BASE: emulator.url });
    expect(stderr).toBe('');
    expect(stdout).not.toMatch(/"code":"/);
    const callId = /^call: (call_[a-z0-9]+)$/m.exec(stdout)?.[1];
    expect(callId, stdout).toBeDefined();
    expect(stdout).toMatch(new RegExp(`"id":"${callId}".*"to":"your-sip-username"`));
    expect((await readFile(join(dir, 'call.pcap'))).readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect((await readFile(join(dir, 'heard.wav'))).subarray(0, 4).toString()).toBe('RIFF');
    expect((await stat(join(dir, 'heard.wav'))).size).toBeGreaterThan(1000);
    await handedOff;
    expect(emulator.control.getCall(callId!).transfer).toMatchObject({ target: 'sip:200@your-provider.com', outcome: 'succeeded' });
  });
});

describe("the README's library example", () => {
  it('runs as printed: a connection online, a call handed off, a journal read', async () => {
    const example = await readmeBlock('library');
    const folder = join(root, 'test-artifacts', 'readme');
    await mkdir(folder, { recursive: true });
    const file = join(folder, 'library-example.ts');
    await writeFile(file, example);
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
    try {
      await import(file);
    } finally {
      log.mockRestore();
    }
    const lines = printed.join('\n').split('\n');
    expect(lines).toEqual(expect.arrayContaining(['softphone:caller out INVITE', 'pbx out INVITE', expect.stringMatching(/^listener:sipconn_\w+ out 200$/), 'pbx out 200']));
  });
});

describe("the README's scenarios", () => {
  it('shows wrong-password.yaml in full, as it is in the library', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const shown = /<!-- readme-scenario: (\S+) -->\n```yaml\n([\s\S]*?)```/.exec(readme);
    expect(shown).not.toBeNull();
    expect(shown![2]).toBe(await readFile(join(root, shown![1]!), 'utf8'));
  });

  it('runs the vitest example as printed: it passes, and fails when the expectation is wrong', async () => {
    const example = await readmeBlock('scenario');
    const folder = join(root, 'test-artifacts', 'readme');
    await mkdir(folder, { recursive: true });
    // The example's it() is vitest's; here it hands its body over, to be awaited inside this test.
    const runnable = (code: string) => code.replace("import { it } from 'vitest';", 'const it = (_name: string, body: () => Promise<unknown>) => ((globalThis as { readmeScenario?: Promise<unknown> }).readmeScenario = body());');
    const load = async (name: string, code: string) => {
      const file = join(folder, name);
      await writeFile(file, runnable(code));
      await import(file);
      // Wrapped: an async function returning the promise would unwrap it.
      return { run: (globalThis as { readmeScenario?: Promise<unknown> }).readmeScenario };
    };
    await expect((await load('scenario-example.ts', example)).run).resolves.toBeUndefined();
    const broken = await load('scenario-example-broken.ts', example.replace('contains: { code: 401 }', 'contains: { code: 403 }'));
    await expect(broken.run).rejects.toThrow(/scenario 'wrong password': the error log of sipconn_\w+ has no entry like \{"code":403\}/);
  }, 60_000);
});
