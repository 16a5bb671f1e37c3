import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../cli/args.js';
import { callCommand, callHelp } from '../cli/callCommand.js';
import type { CommandOutput } from '../cli/contractsCommand.js';
import { softphoneCommand, softphoneHelp } from '../cli/softphoneCommand.js';
import { Pbx } from '../emulator/pbx/index.js';
import { startEmulator, type RunningEmulator } from '../emulator/startEmulator.js';
import { goertzel, readWavFile } from '../media/index.js';
import { Softphone, type SoftphoneCall, type SoftphoneOptions } from '../softphone/index.js';
import { heardTone, nextIncoming, untilEvent } from '../softphone/softphone.case.js';

let pbx: Pbx;
let dir: string;
const cleanup: Array<() => Promise<unknown> | void> = [];

beforeAll(async () => {
  pbx = await Pbx.start({ port: 0, accounts: [{ username: 'alice', password: 'a' }, { username: 'bob', password: 'b' }] });
  dir = mkdtempSync(join(tmpdir(), 'omnisip-softphone-cli-'));
});
afterAll(async () => {
  await pbx.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Collects a command's output; `line(pattern)` resolves once a line matches. */
function capture(): CommandOutput & { stdout: () => string; stderr: () => string; line(pattern: RegExp): Promise<string> } {
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  const wake = (): void => waiters.splice(0).forEach((w) => w());
  return {
    out: (text) => ((out += text), wake()),
    err: (text) => ((err += text), wake()),
    stdout: () => out,
    stderr: () => err,
    line: async (pattern) => {
      for (;;) {
        const found = out.split('\n').find((l) => pattern.test(l));
        if (found !== undefined) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

async function phone(username: string, password: string, extra: Partial<SoftphoneOptions> = {}): Promise<Softphone> {
  const started = await Softphone.start({ username, password, domain: 'pbx.test', server: { protocol: 'UDP', address: '127.0.0.1', port: pbx.ports.udp ?? 0 }, ...extra });
  cleanup.push(() => started.stop());
  return started;
}

const pbxArgs = () => ['--server', '127.0.0.1', '--port', String(pbx.ports.udp), '--domain', 'pbx.test'];

describe('omnisip softphone', () => {
  it('prints its help', async () => {
    const output = capture();
    expect(await softphoneCommand(['--help'], output)).toBe(0);
    expect(output.stdout()).toBe(softphoneHelp);
    expect(softphoneHelp).toMatch(/^Usage: omnisip softphone --server <host> --user <name> \[options\]/);
    for (const option of ['--port', '--transport', '--password', '--domain', '--call', '--answer', '--record', '--play', '--tone', '--duration-s']) expect(softphoneHelp).toContain(option);
  });

  it.each([
    [[], /--server is required/],
    [['--server', '127.0.0.1'], /--user is required/],
    [['--server', '127.0.0.1', '--user', 'a', '--transport', 'tls'], /--transport must be udp or tcp, got 'tls'/],
    [['--server', '127.0.0.1', '--user', 'a', '--port', '70000'], /--port must be an integer from 1 to 65535/],
    [['--server', '127.0.0.1', '--user', 'a', '--answer', '250'], /--answer: must be 180 or 183 \(ring\), 200 \(answer\) or 300-699 \(reject\), got 250/],
    [['--server', '127.0.0.1', '--user', 'a', '--tone', '440:800', '--play', 'x.wav'], /--tone or --play, not both/],
    [['--server', '127.0.0.1', '--user', 'a', '--duration-s', '0'], /--duration-s must be a number of seconds above 0/],
    [['--server', '127.0.0.1', '--user', 'a', '--call', 'bob smith'], /--call 'bob smith' is neither an extension/],
    [['--server', '127.0.0.1', '--user', 'a', '101'], /unexpected argument '101'; the extension to call goes in --call/],
    [['--server', '127.0.0.1', '--user', 'a', '--colour', 'red'], /^unknown option --colour; the options are --server, /],
  ])('rejects %j as a usage error', async (argv, message) => {
    await expect(softphoneCommand(argv, capture())).rejects.toThrow(UsageError);
    await expect(softphoneCommand(argv, capture())).rejects.toThrow(message);
  });

  it('explains a bad tone, an unreadable WAV file and a refused registration, exiting 1', async () => {
    const tone = capture();
    expect(await softphoneCommand([...pbxArgs(), '--user', 'bob', '--tone', '440'], tone)).toBe(1);
    expect(tone.stderr()).toMatch(/^omnisip softphone: a tone is <frequency Hz>:<duration ms> .* got '440'\n$/);
    const wav = capture();
    expect(await softphoneCommand([...pbxArgs(), '--user', 'bob', '--play', join(dir, 'missing.wav')], wav)).toBe(1);
    expect(wav.stderr()).toMatch(/cannot read the WAV file .*missing\.wav: ENOENT/);
    const refused = capture();
    expect(await softphoneCommand([...pbxArgs(), '--user', 'bob', '--password', 'wrong'], refused)).toBe(1);
    expect(refused.stderr()).toMatch(/^omnisip softphone: bob could not register: SIP registration failed: 40[13] /);
  });

  it('registers, answers an incoming call with a tone, records it, and unregisters on Ctrl-C', async () => {
    const output = capture();
    const stop = new AbortController();
    const record = join(dir, 'answered.wav');
    const exit = softphoneCommand([...pbxArgs(), '--user', 'bob', '--password', 'b', '--tone', '1000:300', '--record', record], output, stop.signal);
    await output.line(/^waiting for calls/);
    expect(output.stdout()).toMatch(/^omnisip softphone: registered bob@pbx\.test at 127\.0\.0\.1:\d+\/UDP \(contact sip:bob@127\.0\.0\.1:\d+;transport=udp\)\n/);

    const alice = await phone('alice', 'a');
    const call = alice.call('bob');
    expect(await call.answered).toEqual({ ok: true });
    await untilEvent(call, 'audio', () => heardTone(call.recording(), 1000));
    await call.playTone(1400, 300, 0.5);
    await call.hangup();
    await output.line(/^recorded /);
    stop.abort();
    expect(await exit).toBe(0);

    const lines = output.stdout().split('\n').map((l) => l.replace(/^ *\d+\.\d\ds {2}/, ''));
    expect(lines).toContain(`incoming call from sip:alice@pbx.test (Call-ID ${call.callId})`);
    expect(lines).toContain('answered');
    expect(lines).toContain('playing tone 1000 Hz, 300 ms');
    expect(lines).toContain('ended: remote-hangup');
    expect(lines).toContain('stopping: hanging up and unregistering');
    const wav = await readWavFile(record);
    if (!wav.ok) throw new Error(wav.error.message);
    expect(goertzel(wav.value.samples, 1400)).toBeGreaterThan(0.05);
    expect(pbx.accounts.list().find((a) => a.username === 'bob')?.registered).toBe(false);
  });

  it('with --call, calls and exits 0 when answered, 1 when busy', async () => {
    const bob = await phone('bob', 'b');
    const incoming = nextIncoming(bob);
    const answered = capture();
    const exit = softphoneCommand([...pbxArgs(), '--user', 'alice', '--password', 'a', '--call', 'bob', '--duration-s', '0.3'], answered);
    const atBob: SoftphoneCall = await incoming;
    expect(await exit).toBe(0);
    expect(await atBob.ended).toEqual({ reason: 'remote-hangup' });
    expect(answered.stdout()).toMatch(/calling sip:bob@pbx\.test \(Call-ID .+\)\n.*ringing\n.*answered\n.*hanging up after 0\.3 s\n.*ended: hangup\n$/);

    bob.setAutoAnswer({ status: 486 });
    const busy = capture();
    expect(await softphoneCommand([...pbxArgs(), '--user', 'alice', '--password', 'a', '--call', 'bob'], busy)).toBe(1);
    expect(busy.stdout()).toMatch(/ended: rejected \(486\)\n$/);
  });
});

describe('omnisip call', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ apiPort: 0, sipPort: 0, logLevel: 'silent', pbxAccounts: [{ username: 'bob', password: 'b' }] });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('prints its help, and rejects bad arguments as usage errors', async () => {
    const output = capture();
    expect(await callCommand(['--help'], output)).toBe(0);
    expect(output.stdout()).toBe(callHelp);
    await expect(callCommand([], capture())).rejects.toThrow(/which extension\? e\.g\. omnisip call 101/);
    await expect(callCommand(['101', '--dtmf', '12x'], capture())).rejects.toThrow(/--dtmf takes DTMF digits/);
    await expect(callCommand(['101', '--dtmf-after-ms', '100'], capture())).rejects.toThrow(/--dtmf-after-ms goes with --dtmf/);
    await expect(callCommand(['101', '--api-url', 'ftp://x'], capture())).rejects.toThrow(/--api-url must be an http/);
    await expect(callCommand(['101', '--say', ' '], capture())).rejects.toThrow(/--say needs some text/);
  });

  it('tells when no emulator answers at --api-url', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const output = capture();
    expect(await callCommand(['101', '--api-url', `http://127.0.0.1:${closed}`], output)).toBe(1);
    expect(output.stderr()).toMatch(/^omnisip call: cannot reach the emulator at http:\/\/127\.0\.0\.1:\d+ \(.*ECONNREFUSED.*\)\. Start it with 'omnisip start', or pass --api-url\.\n$/);
  });

  it('calls an extension through the emulator PBX: tone, DTMF, recording, hang-up after the duration', async () => {
    const bob = await Softphone.start({ username: 'bob', password: 'b', domain: 'omnisip.local', server: { protocol: 'UDP', address: '127.0.0.1', port: emulator.ports.sip ?? 0 } });
    cleanup.push(() => bob.stop());
    const incoming = nextIncoming(bob);
    const record = join(dir, 'call.wav');
    const output = capture();
    const exit = callCommand(['bob', '--api-url', emulator.url, '--tone', '1000:300', '--dtmf', '5', '--dtmf-after-ms', '50', '--say', 'hello', '--record', record, '--duration-s', '0.8'], output);
    const atBob = await incoming;
    const digits: string[] = [];
    atBob.on('dtmf', (digit) => digits.push(digit));
    await atBob.answered;
    void atBob.playTone(1400, 300, 0.5);
    await untilEvent(atBob, 'audio', () => heardTone(atBob.recording(), 1000));
    expect(await exit).toBe(0);
    expect(await atBob.ended).toEqual({ reason: 'remote-hangup' });
    expect(digits).toEqual(['5']);

    const lines = output.stdout().split('\n').map((l) => l.replace(/^ *\d+\.\d\ds {2}/, ''));
    expect(lines[0]).toBe(`omnisip call: bob through the PBX at 127.0.0.1:${emulator.ports.sip}/UDP as caller`);
    expect(lines).toContain(`calling sip:bob@omnisip.local (Call-ID ${atBob.callId})`);
    expect(lines).toContain('answered');
    expect(lines).toContain('DTMF sent: 5');
    expect(lines).toContain('hanging up after 0.8 s');
    expect(lines).toContain('ended: hangup');
    expect(lines.some((l) => l.startsWith('utterance not sent: ') || l === 'said: "hello"')).toBe(true);
    // From the answer to the hang-up, which a loaded machine delays past the 0.8 s: the lines' own times say how long it was.
    const at = (text: string) => Number(/^ *(\d+\.\d\d)s {2}/.exec(output.stdout().split('\n').find((l) => l.endsWith(`  ${text}`)) ?? '')?.[1]);
    const recorded = Number(/^recorded (\d+\.\d) s to .*call\.wav$/.exec(lines.at(-2) ?? '')?.[1]);
    expect(recorded).toBeGreaterThanOrEqual(0.7);
    expect(recorded).toBeLessThanOrEqual(at('ended: hangup') - at('answered') + 0.25);
    const wav = await readWavFile(record);
    if (!wav.ok) throw new Error(wav.error.message);
    expect(goertzel(wav.value.samples, 1400)).toBeGreaterThan(0.05);
  });

  it.each([
    ['answered', 200, 0, /^ *[\d.]+s {2}answered$/m],
    ['ringing', 180, 1, /^ *[\d.]+s {2}ringing$/m],
  ] as const)('stops within 2 s of Ctrl-C when the PBX no longer answers, the call %s (its BYE or CANCEL gets a short grace, not Timer F or B)', async (_, status, exitCode, line) => {
    const bob = await Softphone.start({ username: 'bob', password: 'b', domain: 'omnisip.local', server: { protocol: 'UDP', address: '127.0.0.1', port: emulator.ports.sip ?? 0 }, autoAnswer: { status } });
    cleanup.push(() => bob.stop());
    const output = capture();
    const interrupt = new AbortController();
    const exit = callCommand(['bob', '--api-url', emulator.url, '--duration-s', '60'], output, interrupt.signal);
    await output.line(line);
    emulator.world.sip!.pbx.setDown(true);
    cleanup.push(() => emulator.world.sip!.pbx.setDown(false));
    const started = performance.now();
    interrupt.abort();
    expect(await exit).toBe(exitCode);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('omnisip softphone, stopping', () => {
  it('stops within 2 s of Ctrl-C when its PBX has gone away (the unREGISTER gets a short grace, not Timer F)', async () => {
    const gone = await Pbx.start({ port: 0, accounts: [{ username: 'carol', password: 'c' }] });
    const output = capture();
    const interrupt = new AbortController();
    const exit = softphoneCommand(['--server', '127.0.0.1', '--port', String(gone.ports.udp), '--domain', 'pbx.test', '--user', 'carol', '--password', 'c'], output, interrupt.signal);
    await output.line(/registered/);
    await gone.close();
    const started = performance.now();
    interrupt.abort();
    expect(await exit).toBe(0);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
