import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createNetworkTransport, SipStack, UserAgent } from '../../sip/index.js';
import { applyPriority, parsePriority } from '../../cli/processPriority.js';
import { LatencyRecorder } from '../lib/index.js';
import { BenchCall, type ReceptionMark } from './BenchCall.js';
import { formatCallersMessage, type CallersMessage } from './callersProtocol.js';

/**
 * The callers of the concurrent-call benchmark, in a process of their own (started by
 * measureConcurrentCalls): places `--calls` calls at `--rate` per second through the PBX, then
 * measures the agent's audio for `--seconds` with every call up, reports on stdout (one JSON line
 * per step, see callersProtocol.ts), hangs up and exits.
 *
 *   node dist/bench/calls/callers.js --pbx 127.0.0.1:5060 --uri sip:101@pbx.example --calls 200 --rate 25 --seconds 30
 */
const { values } = parseArgs({
  options: {
    pbx: { type: 'string' },
    uri: { type: 'string' },
    calls: { type: 'string', default: '200' },
    rate: { type: 'string', default: '25' },
    seconds: { type: 'string', default: '30' },
    priority: { type: 'string' },
  },
});
const [pbxAddress, pbxPort] = (values.pbx ?? '').split(':');
if (!pbxAddress || !pbxPort || !values.uri) {
  process.stderr.write('usage: callers --pbx <address:port> --uri <sip:ext@domain> [--calls 200] [--rate 25] [--seconds 30] [--priority=<nice|realtime>]\n');
  process.exit(2);
}
const priority = values.priority === undefined ? undefined : parsePriority(values.priority);
if (values.priority !== undefined && priority === undefined) {
  process.stderr.write(`callers: --priority must be realtime or an integer from -20 to 19, got '${values.priority}'\n`);
  process.exit(2);
}
if (priority !== undefined) {
  // As the emulator's --priority: the callers wait for a CPU as much as it does, and their waits read as jitter.
  const warning = applyPriority(priority);
  if (warning) process.stderr.write(`callers: ${warning}\n`);
}
const say = (message: CallersMessage) => process.stdout.write(formatCallersMessage(message));
const count = Number(values.calls);
const rate = Number(values.rate);
const seconds = Number(values.seconds);

const stack = new SipStack({ transport: await createNetworkTransport({ address: '127.0.0.1', port: 0, protocols: ['UDP'] }) });
const ua = new UserAgent(stack, { contact: `<sip:bench@${stack.viaHost('UDP')}>` });
const deviations = new LatencyRecorder();
const setup = new LatencyRecorder();
const calls: BenchCall[] = [];
const failures: string[] = [];

// Paced like a traffic generator: call i is placed at i / rate seconds, whatever the earlier ones are doing.
const started = performance.now();
await Promise.all(
  Array.from({ length: count }, async (_, i) => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + (i * 1000) / rate - performance.now())));
    const placed = await BenchCall.place(ua, { uri: values.uri!, from: `sip:bench-${i}@pbx.example`, pbx: { address: pbxAddress, port: Number(pbxPort) }, onDeviation: (ms) => deviations.record(ms) });
    if (!placed.ok) return void failures.push(placed.reason);
    calls.push(placed.call);
    setup.record(placed.call.setupMs);
  }),
);
say({ event: 'placed', answered: calls.length, failed: failures.length, failures: [...new Set(failures)].slice(0, 5), setupMs: setup.summary(), rtpPorts: calls.map((c) => c.rtpPort) });

say({ event: 'window-start' });
const cpuBefore = process.cpuUsage();
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const windowStart = performance.now();
const before = new Map<BenchCall, ReceptionMark>(calls.map((c) => [c, c.mark()]));
for (const call of calls) call.measuring = true;
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
for (const call of calls) call.measuring = false;
loopDelay.disable();
const wall = (performance.now() - windowStart) / 1000;
const cpu = process.cpuUsage(cpuBefore);
let packetsExpected = 0;
let packetsLost = 0;
let callerSkippedFrames = 0;
for (const call of calls) {
  const now = call.mark();
  const then = before.get(call)!;
  packetsExpected += now.expected - then.expected;
  packetsLost += now.lost - then.lost;
  callerSkippedFrames += now.skippedFrames - then.skippedFrames;
}
const jitters = calls.map((c) => c.jitter().jitterMs);
say({
  event: 'window-end',
  window: {
    seconds: wall,
    calls: calls.length,
    packetsExpected,
    packetsLost,
    deviationMs: deviations.summary(),
    jitterMs: { mean: jitters.reduce((a, b) => a + b, 0) / Math.max(1, jitters.length), max: Math.max(0, ...jitters) },
    callerSkippedFrames,
    callerCpu: (cpu.user + cpu.system) / 1e6 / wall,
    callerLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
  },
});

await Promise.all(calls.map((c) => c.hangUp()));
ua.close();
await stack.close();
say({ event: 'done', hungUp: calls.length });
