import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { formatMarkdown, formatText } from './formatReport.js';
import { runCallsBenchmark } from './runCallsBenchmark.js';
import { positiveOption } from '../lib/positiveOption.js';
import { usableCpus } from '../lib/pinToCpus.js';
import { withNegativeValues } from '../../cli/args.js';
import { parsePriority, type PriorityRequest } from '../../cli/processPriority.js';

const usage = `Usage: npm run bench:calls [-- options]

Benchmarks calls through omnisip's built-in PBX to one listener on this machine: call setup rate
with SIPp (INVITE/200/ACK/BYE, stepping the rate up until a call fails), then concurrent calls with
G.711 both ways, measured at the callers (loss, inter-arrival jitter) and at the emulator process
(CPU, RSS). Writes bench/results/calls-<timestamp>.json and .md (the tables docs/performance.md keeps). Needs sipp.

Options:
  --rates <list>      setup rates to step through, calls/s (default 50,100,200,300)
  --step <s>          seconds per setup-rate step (default 10)
  --calls <n>         concurrent calls (default 200)
  --ramp <n>          calls placed per second while ramping up (default 25)
  --duration <s>      measured seconds with every call up (default 30)
  --runs <n>          concurrent-call runs in a row, each with a fresh emulator and callers; every run
                      is printed with the spread, and each target must hold on every run (default 1)
  --concurrent-only   skip the SIPp setup-rate part (sipp not needed)
  --priority <nice|realtime>
                      run every emulator (omnisip start --priority) and the callers at this scheduling
                      priority: a nice value, -20 to 19, or realtime (SCHED_FIFO 10); raising it needs
                      root or CAP_SYS_NICE. On a busy machine a process waiting for a CPU sends late;
                      the report gives how each ran
  --pin               give each concurrent-call run's emulator a CPU and its callers another (the first
                      two this process may use; taskset, every thread), as callers on another
                      machine would not share the emulator's CPU. Unpinned, the scheduler often
                      puts the two on one CPU, where each waits for the other's millisecond ticks;
                      needs 2 CPUs. Not with --priority realtime:
                      on one CPU a real-time Node spins in its garbage collector (95% of the CPU)
  --floor <s>         seconds to measure the bare-Node floor for: two plain Node processes exchanging
                      the same packets (one UDP socket per call a side, 50 packets/s each way, 10
                      sockets a millisecond as the emulator's pacer sends), no RTP or audio; the
                      report divides the emulator's CPU by it; with --pin, its two sides on those
                      two CPUs. 0 skips it (default 10)
  --wire              also measure each run's jitter where the emulator's packets leave: its RTP captured
                      on lo by Wireshark's dumpcap (headers only, removed once read; needs root or
                      CAP_NET_RAW), stamped by the kernel as each is sent. The report sets it beside
                      the callers' figure; the difference is the time the callers' process took to read
  --profile           run the emulator with --cpu-prof (profiles in bench/results/profiles/calls-*) and list where its time goes
  --strict            exit 1 when a target is missed (default: only when the run itself fails)
`;

const positive = positiveOption('bench:calls', usage);

function pinOption(priority: string | undefined): { emulator: number; callers: number } {
  if (priority === 'realtime') {
    process.stderr.write(`bench:calls: --pin cannot go with --priority realtime: pinned to one CPU, a real-time Node spins in its garbage collector, waiting for helper threads that never get the CPU (measured: the emulator at 95% of a core, jitter p99 53-57 ms); use one or the other\n`);
    process.exit(2);
  }
  // The first two CPUs this process may use: a container's cpuset may start above CPU 0.
  const cpus = usableCpus() ?? Array.from({ length: availableParallelism() }, (_, i) => i);
  if (cpus.length < 2) {
    process.stderr.write(`bench:calls: --pin gives the emulator and the callers a CPU each, and this process may use ${cpus.length}\n`);
    process.exit(2);
  }
  return { emulator: cpus[0]!, callers: cpus[1]! };
}

function priorityOption(value: string): PriorityRequest {
  const priority = parsePriority(value);
  if (priority === undefined) {
    process.stderr.write(`bench:calls: --priority must be realtime or an integer from -20 to 19, got '${value}'\n\n${usage}`);
    process.exit(2);
  }
  return priority;
}

const options = {
  rates: { type: 'string' },
  step: { type: 'string' },
  calls: { type: 'string' },
  ramp: { type: 'string' },
  duration: { type: 'string' },
  runs: { type: 'string' },
  floor: { type: 'string' },
  'concurrent-only': { type: 'boolean' },
  profile: { type: 'boolean' },
  priority: { type: 'string' },
  pin: { type: 'boolean' },
  wire: { type: 'boolean' },
  strict: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(): Promise<number> {
  // `--priority -10` as `--priority=-10`: parseArgs would take the -10 for an option.
  const { values } = parseArgs({ args: withNegativeValues(process.argv.slice(2), options), options });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  // Compiled to dist/bench/calls/run.js; the repository root is three levels up.
  const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
  const resultsDir = join(root, 'bench/results');
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const result = await runCallsBenchmark({
    root,
    rates: (values.rates ?? '50,100,200,300').split(',').map((r) => positive('rates', r.trim(), 0)),
    secondsPerStep: positive('step', values.step, 10),
    calls: positive('calls', values.calls, 200),
    rampRate: positive('ramp', values.ramp, 25),
    seconds: positive('duration', values.duration, 30),
    runs: positive('runs', values.runs, 1),
    floorSeconds: values.floor === '0' ? 0 : positive('floor', values.floor, 10),
    concurrentOnly: values['concurrent-only'] ?? false,
    ...(values.priority !== undefined && { priority: priorityOption(values.priority) }),
    ...(values.pin && { pin: pinOption(values.priority) }),
    ...(values.wire && { wire: true }),
    profileDir: values.profile ? join(resultsDir, 'profiles', `calls-${stamp}`) : undefined,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (!result.ok) {
    process.stderr.write(`bench:calls failed: ${result.reason}\n`);
    return 1;
  }
  const { report } = result;
  mkdirSync(resultsDir, { recursive: true });
  const base = join(resultsDir, `calls-${report.machine.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, `${formatMarkdown(report)}\n`);
  process.stdout.write(`\n${formatText(report)}\n\nwrote ${relative(root, base)}.json and .md\n`);
  return report.pass || !values.strict ? 0 : 1;
}

process.exitCode = await main();
