import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callCommand } from '../cli/callCommand.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { goertzel, identifyPrompts, readWavFile } from '../media/index.js';
import { Softphone, type SoftphoneCall } from '../softphone/index.js';
import { guideAgent } from './support/world.js';

/**
 * End to end, as DESIGN.md's user does it: `omnisip call 101` reaches an agent's listener through the
 * emulator's PBX, hears the greeting, says something (the control API's utterance), presses 0 and
 * is transferred with REFER to the handoff extension 200, a softphone that answers with a tone.
 */
describe('omnisip call against an agent', () => {
  let emulator: RunningEmulator;
  let dir: string;
  const key = 'softphone-agent';

  async function request(method: string, path: string, body?: unknown): Promise<{ status: number; body: { id: string } }> {
    const res = await fetch(`${emulator.url}${path}`, { method, headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { id: string } };
  }

  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, provisionDelayMs: 0, logLevel: 'silent', pbxAccounts: [{ username: '200', password: 'human' }] });
    dir = mkdtempSync(join(tmpdir(), 'omnisip-softphone-agent-'));
  });
  afterAll(async () => {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hears the greeting, says something, presses 0, and is transferred to 200', async () => {
    const agent = await request('POST', '/public/agents', guideAgent);
    const handoff = { humanHandoff: { enabled: true, transferExtension: '200', transferDescription: 'Transfer when the caller asks for a human' } };
    expect((await request('PUT', `/public/agents/${agent.body.id}/channels/sip`, handoff)).status).toBe(200);
    const settings = { server: 'sip.your-provider.com', port: 5060, domain: 'sip.your-provider.com', username: '101', password: 'agent-secret', transport: 'UDP' };
    const connection = await request('POST', '/public/sip-connections', { agentId: agent.body.id, settings });
    await emulator.control.waitForStatus(connection.body.id, (s) => s.sipStatus === 'online');
    const human = await Softphone.start({ username: '200', password: 'human', domain: 'sip.your-provider.com', server: { protocol: 'UDP', address: '127.0.0.1', port: emulator.ports.sip! } });
    const atHuman = new Promise<SoftphoneCall>((resolve) => human.once('incoming', resolve));
    human.on('incoming', (call) => void call.playTone(1000, 3000, 0.4));

    let out = '';
    const record = join(dir, 'caller.wav');
    const argv = ['101', '--api-url', emulator.url, '--say', 'hello there', '--dtmf', '0', '--dtmf-after-ms', '2500', '--record', record, '--duration-s', '4.5'];
    const code = await callCommand(argv, { out: (text) => void (out += text), err: (text) => void (out += `stderr: ${text}`) });
    await human.stop();

    const lines = out.split('\n').map((line) => line.replace(/^ *\d+\.\d\ds {2}/, ''));
    expect(code, out).toBe(0);
    expect(lines).toContain('said: "hello there"');
    expect(lines).toContain('DTMF sent: 0');
    expect(lines).toContain('transfer requested to sip:200@sip.your-provider.com');
    expect(lines.some((line) => line.startsWith('transferred to sip:200@sip.your-provider.com (Call-ID '))).toBe(true);
    expect(lines).toContain('ended: transferred');
    expect(lines).toContain('ended: hangup [sip:200@sip.your-provider.com]');
    // In the order things happened: the new call's answer before the old call's end (issue 9).
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    expect(at(/^transferred to /)).toBeLessThan(at(/^ended: transferred$/));
    expect(lines.slice(at(/^transferred to /), at(/^ended: transferred$/))).toContain('answered');
    expect((await atHuman).remote).toBe('sip:caller@omnisip.local');

    const wav = await readWavFile(record);
    if (!wav.ok) throw new Error(wav.error.message);
    expect(identifyPrompts(wav.value.samples)).toEqual(['greeting', 'response', 'transferring']);
    // The last second is the human's tone, on the new call.
    expect(goertzel(wav.value.samples.subarray(-8000), 1000)).toBeGreaterThan(0.2);
  }, 20_000);

  it('prints a failed handoff with its status, and stays in the call', async () => {
    const agent = await request('POST', '/public/agents', guideAgent);
    await request('PUT', `/public/agents/${agent.body.id}/channels/sip`, { humanHandoff: { enabled: true, transferExtension: '201' } });
    const settings = { server: 'sip.your-provider.com', port: 5060, domain: 'sip.your-provider.com', username: '102', password: 'agent-secret', transport: 'UDP' };
    const connection = await request('POST', '/public/sip-connections', { agentId: agent.body.id, settings });
    await emulator.control.waitForStatus(connection.body.id, (s) => s.sipStatus === 'online');
    await emulator.control.createSoftphone({ username: '201', password: 'busy', autoAnswer: { status: 486 } });

    let out = '';
    const code = await callCommand(['102', '--api-url', emulator.url, '--dtmf', '0', '--dtmf-after-ms', '1500', '--duration-s', '3.5'], { out: (text) => void (out += text), err: (text) => void (out += `stderr: ${text}`) });
    const lines = out.split('\n').map((line) => line.replace(/^ *\d+\.\d\ds {2}/, ''));
    expect(code, out).toBe(0);
    expect(lines).toContain('transfer requested to sip:201@sip.your-provider.com');
    expect(lines).toContain('transfer to sip:201@sip.your-provider.com failed: 486 Busy Here; still in the call');
    expect(lines).toContain('hanging up after 3.5 s');
  }, 20_000);
});
