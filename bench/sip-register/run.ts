import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatMarkdown, formatText } from './formatReport.js';
import { runSipRegisterBenchmark } from './runSipRegisterBenchmark.js';
import { positiveOption } from '../lib/positiveOption.js';

const usage = `Usage: npm run bench:sip-register [-- options]

Authenticated REGISTER transactions per second handled by omnisip's built-in PBX and by Kamailio
(same SIPp scenario, test/sipp/register.xml, over UDP, each server a separate process), then
SIP connections created through the API in one emulator process, from 100 up to --connections
(a fresh process per size: the curve): time until all are Running/online (followed on the event
stream), the emulator's CPU time per connection, and its RSS. Writes bench/results/sip-register-<timestamp>.json and .md.
Needs 'npm run build', sipp and kamailio.

Options:
  --users <n>          SIP accounts registering in turn (default 1000)
  --duration <s>       measured seconds per round, after a warm-up (default 15)
  --rounds <n>         rounds per server, alternating, each a fresh process; the median counts (default 3)
  --concurrency <n>    registrations in progress at once (SIPp -l; default 100)
  --connections <n>    SIP connections in the second part, the last point of the curve (default 1000)
  --profile            run omnisip's registrations with --cpu-prof (bench/results/profiles) and print where its time went
  --strict             exit 1 when a target is missed (default: only when the run itself fails)
`;

const positive = positiveOption('bench:sip-register', usage);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string' },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      concurrency: { type: 'string' },
      connections: { type: 'string' },
      profile: { type: 'boolean' },
      strict: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  // Compiled to dist/bench/sip-register/run.js; the repository root is three levels up.
  const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
  const resultsDir = join(root, 'bench/results');
  const result = await runSipRegisterBenchmark({
    root,
    profileDir: values.profile ? join(resultsDir, 'profiles') : undefined,
    users: positive('users', values.users, 1000),
    durationSeconds: positive('duration', values.duration, 15),
    rounds: positive('rounds', values.rounds, 3),
    concurrency: positive('concurrency', values.concurrency, 100),
    connections: positive('connections', values.connections, 1000),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (!result.ok) {
    process.stderr.write(`bench:sip-register failed: ${result.reason}\n`);
    return 1;
  }
  const { report } = result;
  mkdirSync(resultsDir, { recursive: true });
  const base = join(resultsDir, `sip-register-${report.machine.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, `${formatMarkdown(report)}\n`);
  process.stdout.write(`\n${formatText(report)}\n\nwrote ${relative(root, base)}.json and .md\n`);
  return report.pass || !values.strict ? 0 : 1;
}

process.exitCode = await main();
