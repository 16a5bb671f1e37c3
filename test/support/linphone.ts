import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpTcpPort, startPeer, waitForOutput, type PeerProcess } from './peers.js';

export interface LinphoneOptions {
  username: string;
  password: string;
  /** The account's domain: its AOR is sip:username@domain, and calls to sip:x@domain go there. */
  domain: string;
  /**
   * The PBX, used as registrar and as outbound proxy (`reg_route`): every request goes there,
   * so a domain that does not resolve (pbx.example) works, as the README's "Any SIP phone" says.
   */
  proxy: { host: string; port: number };
  /** A WAV file (8 kHz, 16-bit mono) linphone sends as its microphone. Default: silence. */
  microphone?: string;
  /** Answer every incoming call at once (linphonec's `autoanswer enable`). */
  autoAnswer?: boolean;
}

export interface Linphone extends PeerProcess {
  /** Its SIP port on 127.0.0.1 (UDP). */
  port: number;
  /** The config directory, also its HOME. */
  dir: string;
  /** Where linphone writes what it hears (8 kHz, 16-bit mono WAV); complete once the call has ended. */
  recording: string;
  /** Types a linphonec command, e.g. `call sip:101@pbx.example`, `0` (a DTMF key in a call), `terminate all`. */
  command(line: string): void;
  /** Resolves with the first match of `pattern` in linphonec's output (already printed or to come). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/** linphonec's configuration file: UDP only on a pinned port, no video, the account, its outbound proxy. */
export function linphoneConfig(port: number, options: LinphoneOptions): string {
  const proxy = `<sip:${options.proxy.host}:${options.proxy.port};transport=udp>`;
  return `[sip]
sip_port=${port}
sip_tcp_port=0
sip_tls_port=0
use_ipv6=0
default_proxy=0
[rtp]
audio_rtp_port=40000-49999
[video]
enabled=0
capture=0
display=0
[proxy_0]
reg_proxy=${proxy}
reg_route=${proxy.replace('>', ';lr>')}
reg_identity=sip:${options.username}@${options.domain}
reg_expires=60
reg_sendregister=1
publish=0
[auth_info_0]
username=${options.username}
passwd=${options.password}
domain=${options.domain}
`;
}

/**
 * linphone 5.1 (Debian's `linphone-cli`) headless: `linphonec` with its own config file and HOME in
 * a temporary directory, driven through its standard input, one command a line (not linphonecsh:
 * its socket is /tmp/linphonec-<uid>, one per user, so two phones, or two test runs, would share
 * it). No sound card: `soundcard use files` makes it send `microphone` and record what it hears.
 * Started and stopped by PID; `stop()` first asks it to quit, which unregisters.
 *
 * @example
 * const phone = await startLinphone({ username: '300', password: 'pw', domain: 'pbx.example', proxy: { host: '127.0.0.1', port: pbxPort } });
 * phone.command('call sip:101@pbx.example');
 * await phone.waitForOutput(/Call 1 with sip:101@pbx\.example connected/);
 */
export async function startLinphone(options: LinphoneOptions): Promise<Linphone> {
  const dir = mkdtempSync(join(tmpdir(), 'omnisip-linphone-'));
  // Without its database directory liblinphone stays in GlobalStartup: no SIP port, no registration.
  mkdirSync(join(dir, '.local', 'share', 'linphone'), { recursive: true });
  const recording = join(dir, 'heard.wav');
  const port = await freeUdpTcpPort();
  const config = join(dir, 'linphonerc');
  writeFileSync(config, linphoneConfig(port, options));
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, '.config'), XDG_DATA_HOME: join(dir, '.local', 'share') };
  const peer = startPeer('linphonec', ['-c', config, '-d', '0'], { cwd: dir, env, stdin: true });
  const command = (line: string): void => void peer.child.stdin?.write(`${line}\n`);
  peer.child.stdin?.on('error', () => undefined);
  command('soundcard use files');
  if (options.microphone) command(`play ${options.microphone}`);
  command(`record ${recording}`);
  if (options.autoAnswer) command('autoanswer enable');
  const phone: Linphone = {
    ...peer,
    port,
    dir,
    recording,
    command,
    waitForOutput: (pattern, timeoutMs) => waitForOutput(peer, pattern, timeoutMs, 'linphonec'),
    stop: async () => {
      if (peer.child.exitCode !== null || peer.child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => peer.child.once('exit', () => resolve()));
      command('quit');
      // It unregisters and exits on its own; by PID if it has not within two seconds.
      const timer = setTimeout(() => void peer.stop(), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await phone.waitForOutput(options.autoAnswer ? /Auto answer enabled/ : /Using wav files instead of soundcard/, 10_000);
  } catch (error) {
    await peer.stop();
    throw error;
  }
  return phone;
}
