import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Socket } from 'node:dgram';
import { bind } from '../../media/bindRtpSocket.js';

/**
 * One side of the bare-Node floor (started twice by measureUdpFloor): `--sockets` UDP sockets, each
 * sending a 172-byte packet (an RTP header and 20 ms of G.711) every `--frame-ms` to the socket of
 * the same index on the other side, and counting what arrives. The sends are spread over the frame
 * period one millisecond at a time, as the emulator's FramePacer spreads 200 calls (10 a
 * millisecond): the wake-ups and the system calls of the emulator's audio, with no RTP, no audio
 * and no call behind them.
 *
 * Protocol, one JSON line each way: it prints `{"ports":[...]}`; it is sent the other side's ports
 * as a JSON array; then each `count` line is answered with `{"sent":n,"received":n}`, and `stop`
 * answers the same and exits.
 *
 *   node dist/bench/calls/udpFloor.js --sockets 200 --frame-ms 20
 */
const { values } = parseArgs({ options: { sockets: { type: 'string', default: '200' }, 'frame-ms': { type: 'string', default: '20' } } });
const count = Number(values.sockets);
const frameMs = Number(values['frame-ms']);
if (!(Number.isInteger(count) && count > 0 && Number.isInteger(frameMs) && frameMs > 0)) {
  process.stderr.write('usage: udpFloor --sockets <n> --frame-ms <ms>\n');
  process.exit(2);
}

const sockets: Socket[] = [];
for (let i = 0; i < count; i++) {
  const bound = await bind('127.0.0.1', 0);
  if (!bound.ok) {
    process.stderr.write(`udpFloor: ${bound.error.message}\n`);
    process.exit(1);
  }
  sockets.push(bound.value);
}
let received = 0;
let sent = 0;
const onMessage = (): void => {
  received++;
};
for (const socket of sockets) socket.on('message', onMessage);
process.stdout.write(`${JSON.stringify({ ports: sockets.map((s) => s.address().port) })}\n`);

const packet = Buffer.alloc(172, 0xd5);
const sendDone = (): void => {};
let peers: number[] | undefined;
let timer: NodeJS.Timeout | undefined;

/** Slot k of the schedule is due at start + k ms and sends for the sockets whose index is k modulo the frame. */
function startSending(): void {
  const start = performance.now();
  let slot = 0;
  const tick = (): void => {
    const now = performance.now();
    // Every slot due by now, so a late wake-up catches up as the pacer does.
    while (start + slot <= now + 0.5) {
      for (let i = slot % frameMs; i < count; i += frameMs) {
        sockets[i]!.send(packet, peers![i]!, '127.0.0.1', sendDone);
        sent++;
      }
      slot++;
    }
    timer = setTimeout(tick, Math.max(0, start + slot - performance.now()));
  };
  tick();
}

const report = (): void => void process.stdout.write(`${JSON.stringify({ sent, received })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (peers === undefined) {
    peers = JSON.parse(line) as number[];
    if (!Array.isArray(peers) || peers.length !== count) {
      process.stderr.write(`udpFloor: expected ${count} peer ports, got ${line.slice(0, 80)}\n`);
      process.exit(2);
    }
    startSending();
  } else if (line === 'count') {
    report();
  } else if (line === 'stop') {
    break;
  }
}
clearTimeout(timer);
report();
for (const socket of sockets) socket.close();
