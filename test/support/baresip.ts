import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpTcpPort, startPeer, type PeerProcess } from './peers.js';

const modulePath = '/usr/lib/baresip/modules';

export interface BaresipAccount {
  username: string;
  password: string;
  /** The account's domain (its AOR is sip:username@domain). Default `sip.your-provider.com`. */
  domain?: string;
  /** Default UDP. */
  transport?: 'UDP' | 'TCP';
  /** Where REGISTERs (and calls) go, e.g. the built-in PBX; without it baresip resolves the domain. */
  outboundProxy?: { host: string; port: number };
  /** Registration interval, seconds. Default 60 (the PBX's minimum). */
  regint?: number;
  /** More account parameters, e.g. `answermode=auto` or `audio_codecs=PCMU`. */
  params?: string[];
}

export interface BaresipOptions {
  accounts: BaresipAccount[];
  /** Modules loaded besides `account.so` (which reads the accounts file). Default `['g711.so']`. */
  modules?: string[];
  /** More config lines, name → value, e.g. `{ audio_source: 'aufile,/tmp/hello.wav' }`. */
  settings?: Record<string, string>;
  /** Print every SIP message (baresip's `-s`) into `output()`. */
  sipTrace?: boolean;
}

export interface Baresip extends PeerProcess {
  /** The SIP port baresip listens on, UDP and TCP, on 127.0.0.1. */
  port: number;
  /** The config directory (config, accounts, and what baresip writes there). */
  dir: string;
  /** Resolves with the first match of `pattern` in the output (already printed or to come); rejects on exit or timeout. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/** One line of baresip's `accounts` file. */
export function baresipAccountLine(account: BaresipAccount): string {
  const transport = (account.transport ?? 'UDP').toLowerCase();
  const params = [`auth_pass=${account.password}`, `regint=${account.regint ?? 60}`, ...(account.params ?? [])];
  if (account.outboundProxy) params.push(`outbound="sip:${account.outboundProxy.host}:${account.outboundProxy.port};transport=${transport}"`);
  return `<sip:${account.username}@${account.domain ?? 'sip.your-provider.com'};transport=${transport}>;${params.join(';')}`;
}

/**
 * A headless baresip config: no UI module (stdin is not ours), no audio device, loopback only.
 * `net_interface 127.0.0.1` keeps baresip from putting the machine's other address in its
 * Contact and SDP; `sip_listen` pins the SIP port, which baresip cannot pick and report itself.
 */
export function baresipConfig(port: number, options: Pick<BaresipOptions, 'modules' | 'settings'> = {}): string {
  const lines: Array<[string, string]> = [
    ['poll_method', 'epoll'],
    ['sip_listen', `127.0.0.1:${port}`],
    ['net_interface', '127.0.0.1'],
    ['call_local_timeout', '120'],
    ['module_path', modulePath],
    ...(options.modules ?? ['g711.so']).map((module): [string, string] => ['module', module]),
    ['module_app', 'account.so'],
    ...Object.entries(options.settings ?? {}),
  ];
  return `${lines.map(([name, value]) => `${name}\t${value}`).join('\n')}\n`;
}

/**
 * Starts baresip in the foreground (so `stop()` reaches it by PID) with its own config directory,
 * and resolves once it is ready. On SIGTERM baresip unregisters its accounts before it exits.
 *
 * @example
 * const phone = await startBaresip({ accounts: [{ username: '200', password: 'human', outboundProxy: { host: '127.0.0.1', port: pbxPort } }] });
 * await phone.waitForOutput(/200 OK/);
 * await phone.stop();
 */
export async function startBaresip(options: BaresipOptions): Promise<Baresip> {
  const dir = mkdtempSync(join(tmpdir(), 'omnisip-baresip-'));
  writeFileSync(join(dir, 'accounts'), `${options.accounts.map(baresipAccountLine).join('\n')}\n`);
  let lastError: unknown;
  // The free port can be taken between our check and baresip's bind; another one is worth a try.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeUdpTcpPort();
    writeFileSync(join(dir, 'config'), baresipConfig(port, options));
    const peer = startPeer('baresip', ['-f', dir, ...(options.sipTrace ? ['-s'] : [])]);
    const phone: Baresip = { ...peer, port, dir, waitForOutput: (pattern, timeoutMs) => waitForOutput(peer, pattern, timeoutMs) };
    try {
      await phone.waitForOutput(/baresip is ready\./, 10_000);
      return phone;
    } catch (error) {
      lastError = error;
      await peer.stop();
    }
  }
  throw lastError;
}

function waitForOutput(peer: PeerProcess, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const { child } = peer;
    const check = (): boolean => {
      const match = peer.output().match(pattern);
      if (match) finish(() => resolve(match));
      return match !== null;
    };
    const exited = () => finish(() => reject(new Error(`baresip exited (code ${child.exitCode}) before printing ${pattern}\n--- baresip output ---\n${peer.output()}`)));
    const timer = setTimeout(() => finish(() => reject(new Error(`baresip did not print ${pattern} within ${timeoutMs} ms\n--- baresip output ---\n${peer.output()}`))), timeoutMs);
    // Our listener runs after startPeer's, which has already appended the chunk to output().
    const onData = () => void check();
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', exited);
      settle();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', exited);
    if (check()) return;
    if (child.exitCode !== null || child.signalCode !== null) exited();
  });
}
