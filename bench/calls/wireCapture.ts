import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { startProcess } from '../lib/index.js';

/** A capture of RTP on a loopback interface by Wireshark's dumpcap, headers only (the first 64 bytes of each packet). */
export interface WireCapture {
  readonly file: string;
  /**
   * Waits until every packet sent before the call is in the file, then stops dumpcap by its PID.
   * (Stopped at once, dumpcap leaves what the kernel still buffers for it uncaptured.)
   */
  stop(): Promise<void>;
}

export type StartWireCaptureResult = { ok: true; capture: WireCapture } | { ok: false; reason: string };

/**
 * Only RTP (version 2 in the first two bits of the UDP payload): a SIP message starts with a
 * letter, so none is captured, not even its first bytes. 64 bytes hold the link, IPv4, UDP and
 * RTP headers with room to spare.
 */
const rtpOnly = 'udp[8] & 0xc0 = 0x80';
/** How long dumpcap may take to say it is capturing. */
const startTimeoutMs = 10_000;

/**
 * Starts dumpcap on `iface` (default `lo`) writing a classic pcap to `file`, and resolves once it
 * says it is capturing, or with its reason when it cannot (not installed, no permission to
 * capture: root or CAP_NET_RAW). The kernel stamps each packet as it passes the interface, so a
 * packet's time in the file is when its sender's system call ran, whenever its receiver reads it.
 */
export async function startWireCapture(file: string, options: { iface?: string } = {}): Promise<StartWireCaptureResult> {
  const probe = spawnSync('dumpcap', ['-v'], { stdio: 'ignore' });
  if (probe.error) return { ok: false, reason: `the wire capture needs Wireshark's dumpcap (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message}): scripts/install-peers.sh installs it with Debian's tshark` };
  let capturing: (() => void) | undefined;
  const started = new Promise<void>((resolve) => (capturing = resolve));
  let said = '';
  let flushed: (() => void) | undefined;
  // "Capturing on 'lo'" comes first even when the interface then fails to open; "File: …" only once
  // it has. Then "Packets: <n>" each time it has written more to the file and flushed it.
  const dumpcap = startProcess('dumpcap', ['-i', options.iface ?? 'lo', '-P', '-s', '64', '-B', '64', '-f', rtpOnly, '-w', file], {
    onStderr: (chunk) => {
      said = `${said}${chunk}`.slice(-200);
      if (said.includes('File: ')) capturing?.();
      if (chunk.includes('Packets: ')) flushed?.();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    started.then(() => 'capturing' as const),
    dumpcap.exited.then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), startTimeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome !== 'capturing') {
    await dumpcap.stop();
    const reason = dumpcap.stderrTail().trim().split('\n').filter((line) => !line.startsWith('Capturing on')).join(' ');
    return { ok: false, reason: `dumpcap could not capture on ${options.iface ?? 'lo'}${outcome === 'timeout' ? ` (it did not start within ${startTimeoutMs / 1000} s)` : ''}: ${reason || 'no reason given'}; capturing needs root or CAP_NET_RAW` };
  }
  return {
    ok: true,
    capture: {
      file,
      async stop() {
        // A last packet of our own (RTP, payload type 127, which no measurement counts); once the
        // file holds it, it holds everything sent before it.
        const marker = Buffer.concat([Buffer.from([0x80, 0x7f, 0, 0, 0, 0, 0, 0]), randomBytes(8)]);
        const socket = createSocket('udp4');
        socket.bind(0, '127.0.0.1');
        await once(socket, 'listening');
        const written = () => readFileSync(file).includes(marker);
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          flushed = () => written() && resolve();
          timer = setTimeout(resolve, 5000);
          void dumpcap.exited.then(() => resolve());
          socket.send(marker, socket.address().port, '127.0.0.1');
        });
        clearTimeout(timer);
        socket.close();
        await dumpcap.stop();
      },
    },
  };
}
