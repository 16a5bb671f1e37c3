import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contractCases } from '../contracts/suite.js';
import { startEmulator, type RunningEmulator } from '../emulator/index.js';
import { UsageError } from './args.js';
import { contractsCommand, type CommandOutput } from './contractsCommand.js';

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ apiPort: 0, sipPort: 0, clock: 'virtual', logLevel: 'silent', validateResponses: true, seed: 1, clockStart: Date.now() });
  dir = mkdtempSync(join(tmpdir(), 'omnisip-contracts-'));
});
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => emulator.control.reset());

function capture(): CommandOutput & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

const count = (xml: string, pattern: RegExp) => xml.match(pattern)?.length ?? 0;

describe('omnisip contracts', () => {
  it('runs every case against the emulator (detected, strict), prints a line each and a summary, writes JUnit', async () => {
    const output = capture();
    const junit = join(dir, 'reports', 'all.xml');
    const code = await contractsCommand(['--base-url', emulator.url, '--api-key', 'cli-key', '--junit', junit], output);
    const lines = output.stdout().split('\n');
    expect(output.stderr()).toBe('');
    expect(code).toBe(0);
    expect(lines[0]).toBe(`omnisip contracts: ${emulator.url} (emulator, profile guide, strict)`);
    // The emulator runs the guide profile (its health says so): the latest docs' cases are skipped, with the reason.
    const latestOnly = lines.filter((l) => l.startsWith('- ') && l.endsWith('(skipped: checks the latest docs; run with --profile latest)'));
    expect(latestOnly.length).toBeGreaterThan(3);
    const ran = contractCases.length - latestOnly.length;
    expect(lines.filter((l) => /^✓ .+ › .+ \(\d+ ms\)$/.test(l))).toHaveLength(ran);
    expect(output.stdout()).toMatch(new RegExp(`\\n${ran} passed, 0 failed, ${latestOnly.length} skipped \\(\\d+\\.\\d s\\)\\n`));

    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<testsuites name="omnisip contracts" tests="${contractCases.length}" failures="0" errors="0" skipped="${latestOnly.length}"`));
    expect(count(xml, /<testcase /g)).toBe(contractCases.length);
    expect(count(xml, /<testsuite /g)).toBe(new Set(contractCases.map((c) => c.group)).size);
    expect(xml).toContain('<testcase classname="SIP connections" name="PATCH name renames the connection and keeps its settings"');
  });

  it('as a live run without a second key or --allow-sip, skips those cases with the reason and runs the rest leniently', async () => {
    const output = capture();
    const junit = join(dir, 'live.xml');
    const code = await contractsCommand(['--base-url', emulator.url, '--api-key', 'cli-key', '--target', 'live', '--profile', 'guide', '--junit', junit], output);
    expect(code).toBe(0);
    const skipped = output.stdout().split('\n').filter((l) => l.startsWith('- '));
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.some((l) => l.endsWith('(skipped: creates SIP connections, which use SIP quota on the live API; pass --allow-sip to run it)'))).toBe(true);
    expect(skipped.some((l) => l.includes('pass --other-api-key'))).toBe(true);
    expect(skipped.some((l) => l.includes('pass --strict'))).toBe(true);
    const passed = contractCases.length - skipped.length;
    expect(output.stdout()).toContain(`${passed} passed, 0 failed, ${skipped.length} skipped`);
    const xml = readFileSync(junit, 'utf8');
    expect(count(xml, /<skipped message="[^"]+"\/>/g)).toBe(skipped.length);
  });

  it('says so when --profile differs from the profile the emulator runs', async () => {
    const output = capture();
    await contractsCommand(['--base-url', emulator.url, '--api-key', 'cli-key-profile', '--profile', 'latest', '--grep', 'requires name on create'], output);
    expect(output.stderr()).toContain('the emulator runs --api-profile guide, and the suite expects latest');
    expect(output.stdout().split('\n')[0]).toContain('profile latest');
  });

  it('reports a failing case with ✗ and its message, counts it, writes it to JUnit and exits 1', async () => {
    // The API answers 503 to every read of an agent: the cases that read one must fail.
    emulator.control.createFault({ match: { target: 'api', operation: 'getAgent' }, action: { type: 'respond', status: 503 } });
    const output = capture();
    const junit = join(dir, 'failing.xml');
    const code = await contractsCommand(['--base-url', emulator.url, '--api-key', 'cli-key', '--grep', 'gets an agent by id', '--junit', junit], output);
    expect(code).toBe(1);
    expect(output.stdout()).toMatch(/✗ agents › gets an agent by id, exactly as created \(\d+ ms\)\n {4}GET agent: 503 /);
    expect(output.stdout()).toContain('0 passed, 1 failed, 0 skipped');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('tests="1" failures="1"');
    expect(xml).toMatch(/<failure message="GET agent: 503 [^"]*" type="AssertionError">/);
  });

  it('exits 1 when --grep matches no case, and explains the usage errors', async () => {
    const output = capture();
    expect(await contractsCommand(['--base-url', emulator.url, '--api-key', 'k', '--grep', 'no such case anywhere'], output)).toBe(1);
    expect(output.stderr()).toContain("no case matches --grep 'no such case anywhere'");
    await expect(contractsCommand(['--api-key', 'k'], capture())).rejects.toThrow(UsageError);
    await expect(contractsCommand(['--base-url', 'ftp://x', '--api-key', 'k'], capture())).rejects.toThrow(/--base-url must be an http\(s\) URL/);
    await expect(contractsCommand(['--base-url', emulator.url], capture())).rejects.toThrow(/--api-key is required/);
    await expect(contractsCommand(['--base-url', emulator.url, '--api-key', 'k', '--target', 'staging'], capture())).rejects.toThrow(/--target must be/);
  });

  it('--help says the live API needs a key with SIP enabled', async () => {
    const output = capture();
    expect(await contractsCommand(['--help'], output)).toBe(0);
    expect(output.stdout()).toContain('Usage: omnisip contracts --base-url <url> --api-key <key>');
    expect(output.stdout()).toMatch(/key\s+of a project with SIP enabled/);
  });
});
