import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
// Inside the repository, so that the bundle's packages (autocannon, ...) resolve from node_modules.
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
const dir = mkdtempSync(join(root, 'node_modules/.cache/omnisip-bench-calls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** bench:calls' entry point as the build compiles it, bundled so that the test needs no dist/. */
const script = join(dir, 'run.mjs');
buildSync({ entryPoints: [join(root, 'bench/calls/run.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: script, logLevel: 'silent', packages: 'external' });
const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8' });
const runWithPath = (path: string, ...args: string[]) => spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, PATH: path } });

describe('bench:calls options', () => {
  it('explains --pin in its help', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--pin {15}give each concurrent-call run's emulator a CPU and its callers another/);
    expect(help.stdout).toMatch(/--wire {14}also measure each run's jitter where the emulator's packets leave/);
  });

  it('says at once, before measuring anything, that --wire needs dumpcap when there is none', () => {
    // A PATH with nothing on it (node is started by its full path): no dumpcap to find.
    const failed = runWithPath(dir, '--concurrent-only', '--wire');
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain("bench:calls failed: the wire capture needs Wireshark's dumpcap (ENOENT): scripts/install-peers.sh installs it");
    expect(failed.stderr).not.toContain('concurrent calls');
  });

  it('refuses --pin with --priority realtime before starting anything, and says why', () => {
    const refused = run('--concurrent-only', '--pin', '--priority', 'realtime');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('bench:calls: --pin cannot go with --priority realtime: pinned to one CPU, a real-time Node spins in its garbage collector');
    expect(refused.stdout).toBe('');
  });
});
