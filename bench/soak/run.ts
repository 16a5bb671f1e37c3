import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positiveOption } from '../lib/positiveOption.js';
import { formatMarkdown, formatText } from './formatReport.js';
import { runSoak } from './runSoak.js';

const usage = `Usage: npm run bench:soak [-- options]

Runs omnisip's emulator (its own process) under a steady mix for a while: SIPp registrations and
SIPp calls through the built-in PBX to a listener, callers with G.711 both ways (their own
process), handoffs to a softphone (DTMF 0, REFER to extension 200), public API traffic, and
faults switched on and off (20% of INVITEs dropped; GET /public/agents answering 503; REGISTER
503 for five SIPp accounts). Samples the emulator's RSS, heap, event-loop delay, open handles and
store sizes (GET /_emulator/diagnostics) and reports their growth from the first third of the
samples to the last. Writes bench/results/soak-<timestamp>.json and .md. Needs sipp.

Options:
  --minutes <n>          how long the load runs (default 30; 2 for a smoke run)
  --sample-seconds <s>   seconds between samples (default 60, at most a twelfth of the run)
  --warmup <s>           seconds left out of the growth figures at the start (default 40: the SIP
                         timers J, L and M hold transactions for 32 s, so their stores fill first)
  --register-rate <n>    SIPp registrations per second (default 20)
  --users <n>            SIPp accounts registering in turn (default 100)
  --call-rate <n>        SIPp calls per second through the PBX to the listener (default 5)
  --rtp-calls <n>        concurrent calls with audio both ways (default 10)
  --hold <s>             seconds each of those calls lasts (default 20)
  --handoff-every <s>    seconds between handoffs (default 10)
  --api-rate <n>         public API requests per second (default 20)
  --strict               exit 1 when a target is missed (default: only when the run itself fails)
`;

const positive = positiveOption('bench:soak', usage);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      'sample-seconds': { type: 'string' },
      warmup: { type: 'string' },
      'register-rate': { type: 'string' },
      users: { type: 'string' },
      'call-rate': { type: 'string' },
      'rtp-calls': { type: 'string' },
      hold: { type: 'string' },
      'handoff-every': { type: 'string' },
      'api-rate': { type: 'string' },
      strict: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  // Compiled to dist/bench/soak/run.js; the repository root is three levels up.
  const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
  const minutes = positive('minutes', values.minutes, 30);
  const result = await runSoak({
    root,
    minutes,
    sampleSeconds: positive('sample-seconds', values['sample-seconds'], Math.max(1, Math.min(60, Math.floor((minutes * 60) / 12)))),
    warmupSeconds: positive('warmup', values.warmup, 40),
    registerRate: positive('register-rate', values['register-rate'], 20),
    registerUsers: positive('users', values.users, 100),
    callRate: positive('call-rate', values['call-rate'], 5),
    rtpCalls: positive('rtp-calls', values['rtp-calls'], 10),
    holdSeconds: positive('hold', values.hold, 20),
    handoffEverySeconds: positive('handoff-every', values['handoff-every'], 10),
    apiRate: positive('api-rate', values['api-rate'], 20),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (!result.ok) {
    process.stderr.write(`bench:soak failed: ${result.reason}\n`);
    return 1;
  }
  const { report } = result;
  const resultsDir = join(root, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const base = join(resultsDir, `soak-${report.machine.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, `${formatMarkdown(report)}\n`);
  process.stdout.write(`\n${formatText(report)}\n\nwrote ${relative(root, base)}.json and .md\n`);
  return report.pass || !values.strict ? 0 : 1;
}

process.exitCode = await main();
