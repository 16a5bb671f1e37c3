import { parseArgs } from 'node:util';
import { createNetworkTransport, SipStack, UserAgent } from '../../sip/index.js';
import { BenchCall } from '../calls/BenchCall.js';
import { formatRtpCallLine, type RtpCallLine } from './rtpCallsProtocol.js';

/**
 * The soak's callers with audio, in a process of their own (started by runSoak): `--calls` slots,
 * each placing a call through the PBX, holding it `--hold` seconds with G.711 both ways, hanging
 * up and placing the next, until `--seconds` have passed. One JSON line per call on stdout
 * (rtpCallsProtocol.ts), then exits.
 *
 *   node dist/bench/soak/rtpCallers.js --pbx 127.0.0.1:5060 --uri sip:101@pbx.example --calls 10 --hold 20 --seconds 120
 */
const { values } = parseArgs({ options: { pbx: { type: 'string' }, uri: { type: 'string' }, calls: { type: 'string', default: '10' }, hold: { type: 'string', default: '20' }, seconds: { type: 'string', default: '120' } } });
const [pbxAddress, pbxPort] = (values.pbx ?? '').split(':');
if (!pbxAddress || !pbxPort || !values.uri) {
  process.stderr.write('usage: rtpCallers --pbx <address:port> --uri <sip:ext@domain> [--calls 10] [--hold 20] [--seconds 120]\n');
  process.exit(2);
}
const slots = Number(values.calls);
const holdMs = Number(values.hold) * 1000;
const deadline = Date.now() + Number(values.seconds) * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const say = (line: RtpCallLine) => process.stdout.write(formatRtpCallLine(line));

const stack = new SipStack({ transport: await createNetworkTransport({ address: '127.0.0.1', port: 0, protocols: ['UDP'] }) });
const ua = new UserAgent(stack, { contact: `<sip:soak@${stack.viaHost('UDP')}>` });
let n = 0;

async function slot(index: number): Promise<void> {
  // Staggered, so that calls start and end spread over the hold time rather than all at once.
  await sleep((index * holdMs) / slots);
  while (Date.now() < deadline) {
    const startedAt = Date.now();
    const placed = await BenchCall.place(ua, { uri: values.uri!, from: `sip:soak-${n++}@pbx.example`, pbx: { address: pbxAddress!, port: Number(pbxPort) }, onDeviation: () => undefined });
    if (!placed.ok) {
      say({ event: 'call', startedAt, endedAt: Date.now(), ok: false, reason: placed.reason, packetsExpected: 0, packetsLost: 0 });
      await sleep(1000);
      continue;
    }
    await sleep(Math.min(holdMs, deadline - Date.now()));
    const mark = placed.call.mark();
    let reason: string | undefined;
    try {
      await placed.call.hangUp();
    } catch (error) {
      reason = `hang-up failed: ${(error as Error).message}`;
    }
    // A call whose audio never arrived did not work, whatever its signalling said.
    if (!reason && mark.expected === 0) reason = 'no audio from the agent';
    say({ event: 'call', startedAt, endedAt: Date.now(), ok: reason === undefined, ...(reason !== undefined && { reason }), packetsExpected: mark.expected, packetsLost: mark.lost });
  }
}

await Promise.all(Array.from({ length: slots }, (_, i) => slot(i)));
ua.close();
await stack.close({ graceMs: 1000 });
say({ event: 'done' });
