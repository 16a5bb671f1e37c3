import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpTcpPort, startPeer, waitForOutput, type PeerProcess } from './peers.js';

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
  /**
   * Load `ctrl_tcp` (and `menu`, which provides its commands) on a free port of 127.0.0.1, so
   * that `command()` can dial and hang up. Default false.
   */
  control?: boolean;
  /**
   * Load `sndfile`, which writes each call's audio into the config directory: what baresip heard
   * (decoded) and what it sent, as 16-bit WAV at the codec's rate, one pair per call named by the second
   * it started (two calls in the same second share the names); see `recordings()`. Default false.
   */
  record?: boolean;
}

/** baresip's answer to one `ctrl_tcp` command. */
export interface BaresipCommandResult {
  ok: boolean;
  /** What the command printed, e.g. the call list, or why it failed. */
  data: string;
}

export interface Baresip extends PeerProcess {
  /** The SIP port baresip listens on, UDP and TCP, on 127.0.0.1. */
  port: number;
  /** The config directory (config, accounts, and what baresip writes there). */
  dir: string;
  /** Resolves with the first match of `pattern` in the output (already printed or to come); rejects on exit or timeout. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /**
   * Runs a long command through `ctrl_tcp` (needs `control: true`), e.g. `command('dial',
   * 'sip:101@pbx.example')` or `command('hangup')`, and resolves with baresip's answer.
   */
  command(name: string, params?: string, timeoutMs?: number): Promise<BaresipCommandResult>;
  /** The WAV files `record: true` has written so far: `heard` (decoded from the peer) and `sent`, oldest first. */
  recordings(): { heard: string[]; sent: string[] };
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
  const modules = [...(options.modules ?? ['g711.so']), ...(options.record ? ['sndfile.so'] : []), ...(options.control ? ['menu.so', 'ctrl_tcp.so'] : [])];
  let lastError: unknown;
  // The free ports can be taken between our check and baresip's bind; others are worth a try.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeUdpTcpPort();
    const controlPort = options.control ? await freeUdpTcpPort() : undefined;
    const settings = { ...options.settings, ...(options.record && { snd_path: dir }), ...(controlPort && { ctrl_tcp_listen: `127.0.0.1:${controlPort}` }) };
    writeFileSync(join(dir, 'config'), baresipConfig(port, { modules, settings }));
    const peer = startPeer('baresip', ['-f', dir, ...(options.sipTrace ? ['-s'] : [])]);
    let control: BaresipControl | undefined;
    const phone: Baresip = {
      ...peer,
      port,
      dir,
      waitForOutput: (pattern, timeoutMs) => waitForOutput(peer, pattern, timeoutMs, 'baresip'),
      command: (name, params, timeoutMs) => {
        if (!control) throw new Error('baresip: command() needs startBaresip({ control: true })');
        return control.command(name, params, timeoutMs);
      },
      recordings: () => recordings(dir),
      stop: async () => {
        control?.close();
        await peer.stop();
      },
    };
    try {
      await phone.waitForOutput(/baresip is ready\./, 10_000);
      if (controlPort) control = await BaresipControl.connect(controlPort);
      return phone;
    } catch (error) {
      lastError = error;
      await phone.stop();
    }
  }
  throw lastError;
}

/** sndfile names its files `dump-<time>-dec.wav` (decoded: what baresip heard) and `-enc.wav` (what it sent). */
function recordings(dir: string): { heard: string[]; sent: string[] } {
  const files = readdirSync(dir).filter((name) => /^dump-.*\.wav$/.test(name)).sort();
  return { heard: files.filter((n) => n.endsWith('-dec.wav')).map((n) => join(dir, n)), sent: files.filter((n) => n.endsWith('-enc.wav')).map((n) => join(dir, n)) };
}

/**
 * A client of baresip's `ctrl_tcp` module: JSON commands and answers framed as netstrings
 * (`<length>:<json>,`); answers carry the command's token, events (`"event": true`) are skipped.
 */
class BaresipControl {
  private buffer = Buffer.alloc(0);
  private nextToken = 1;
  private readonly pending = new Map<string, (result: BaresipCommandResult) => void>();

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  static connect(port: number): Promise<BaresipControl> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.off('error', reject);
        // A command left unanswered when baresip exits fails by its own timeout.
        socket.on('error', () => undefined);
        resolve(new BaresipControl(socket));
      });
      socket.once('error', (error) => reject(new Error(`baresip: cannot connect to ctrl_tcp on 127.0.0.1:${port}: ${error.message}`)));
    });
  }

  command(name: string, params?: string, timeoutMs = 5000): Promise<BaresipCommandResult> {
    const token = `omnisip-${this.nextToken++}`;
    const json = JSON.stringify({ command: name, ...(params !== undefined && { params }), token });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`baresip did not answer the ctrl_tcp command '${name}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      this.socket.write(`${Buffer.byteLength(json)}:${json},`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const colon = this.buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(this.buffer.subarray(0, colon).toString());
      if (this.buffer.length < colon + 1 + length + 1) return;
      const body = this.buffer.subarray(colon + 1, colon + 1 + length).toString();
      this.buffer = this.buffer.subarray(colon + 1 + length + 1);
      let message: { response?: boolean; ok?: boolean; data?: string; token?: string };
      try {
        message = JSON.parse(body);
      } catch {
        continue;
      }
      if (!message.response || message.token === undefined) continue;
      this.pending.get(message.token)?.({ ok: message.ok === true, data: message.data ?? '' });
      this.pending.delete(message.token);
    }
  }
}
