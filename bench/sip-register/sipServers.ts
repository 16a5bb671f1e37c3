import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, waitForHttp, type StartedProcess } from '../lib/index.js';
import { kamailioConfig } from '../../test/support/kamailio.js';
import { freeUdpTcpPort } from '../../test/support/peers.js';
import { waitForSip } from './waitForSip.js';

/** A SIP account of the benchmark. Passwords follow one rule, `pw-<username>`, that Kamailio's config applies in one line. */
export interface BenchUser {
  username: string;
  password: string;
}

export const benchUsers = (count: number): BenchUser[] => Array.from({ length: count }, (_, i) => ({ username: `u${i}`, password: `pw-u${i}` }));

export interface SipServer {
  name: 'omnisip' | 'kamailio';
  /** SIP port, UDP and TCP, on 127.0.0.1. */
  port: number;
  process: StartedProcess;
  /** The REST API of an omnisip server. */
  apiUrl?: string;
}

export type StartSipServerResult = { ok: true; server: SipServer } | { ok: false; reason: string };

async function ready(server: SipServer, extra?: () => Promise<string | undefined>): Promise<StartSipServerResult> {
  const gone = new AbortController();
  void server.process.exited.then((exit) => gone.abort(`${server.name} exited (code ${exit.code}, signal ${exit.signal})`));
  const sip = await waitForSip(server.port, { signal: gone.signal });
  const failure = sip.ok ? await extra?.() : sip.reason;
  if (failure === undefined) return { ok: true, server };
  await server.process.stop();
  const stderr = server.process.stderrTail().trim();
  return { ok: false, reason: `${server.name} did not start: ${failure}${stderr ? `\nits stderr:\n${stderr}` : ''}` };
}

/**
 * `omnisip start` from the build in dist/, as a user runs it, in its own process: the built-in PBX
 * on a free port with `users` as configured accounts (a JSON config file: JSON is YAML).
 */
export async function startOmnisip(root: string, users: BenchUser[], options: { provisionDelayMs?: number; nodeFlags?: string[] } = {}): Promise<StartSipServerResult> {
  const dir = mkdtempSync(join(tmpdir(), 'omnisip-bench-sip-'));
  const config = join(dir, 'omnisip.json');
  writeFileSync(config, JSON.stringify({ pbxAccounts: users }));
  const [port, apiPort] = [await freeUdpTcpPort(), await freePort()];
  const delay = options.provisionDelayMs === undefined ? [] : ['--provision-delay-ms', String(options.provisionDelayMs)];
  const args = [...(options.nodeFlags ?? []), join(root, 'dist/cli/main.js'), 'start', '--api-port', String(apiPort), '--sip-port', String(port), '--log-level', 'error', '--config', config, ...delay];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const server: SipServer = { name: 'omnisip', port, apiUrl, process: startProcess(process.execPath, args, { cwd: root }) };
  return ready(server, async () => {
    const api = await waitForHttp(`${apiUrl}/public/agents`, { headers: { 'X-Api-Key': 'bench-ready' }, timeoutMs: 10_000 });
    return api.ok ? undefined : api.reason;
  });
}

const marker = 'bench-password-rule';

/**
 * Kamailio with the interop tests' config (test/support/kamailio.ts), its per-user password chain
 * replaced by the one-line rule `pw-<username>`: the chain is one `if` per user, so with 1,000 users
 * Kamailio would spend its time in our config's string comparisons rather than in its registrar.
 */
export async function startKamailioRegistrar(): Promise<StartSipServerResult> {
  const dir = mkdtempSync(join(tmpdir(), 'omnisip-bench-kamailio-'));
  const port = await freeUdpTcpPort();
  const generated = kamailioConfig(port, { users: { [marker]: marker } });
  const config = generated.replace(`    if ($au == "${marker}") $var(pw) = "${marker}";`, '    $var(pw) = "pw-" + $au;');
  if (config === generated) return { ok: false, reason: 'test/support/kamailio.ts no longer writes one `if ($au == ...)` line per user: update bench/sip-register/sipServers.ts' };
  const path = join(dir, 'kamailio.cfg');
  writeFileSync(path, config);
  const server: SipServer = { name: 'kamailio', port, process: startProcess('kamailio', ['-DD', '-E', '-f', path, '-Y', dir, '-P', join(dir, 'kamailio.pid'), '-w', dir], { group: true }) };
  return ready(server);
}
