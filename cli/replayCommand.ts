import { readFileSync } from 'node:fs';
import { readJournalFile, replayJournal, type ReplayReport } from '../scenarios/index.js';
import { parseCommandArgs, toInteger, UsageError } from './args.js';

export const replayHelp = `Usage: omnisip replay <run.ndjson> [options]

Replays a recorded run: the journal of 'omnisip start --journal run.ndjson', or the one each
scenario run writes next to its report. A fresh world starts with the recorded seed, clock and
options; every recorded public and control API request is sent again, in order, each once the
replay has produced what the recording had produced before it; then what came out is compared:
each response (status and body), and per connection, call and SIP party the SIP messages,
statuses, error log, registrations, agent turns, DTMF and transfers.

Prints the first divergence and exits 1 on one; exits 0 when the replay did what the recording
did. Ids are matched up when the recording was not seeded; ports, tags, branches, SIP
retransmissions and 100 Trying are not compared (they follow the machine, not the behaviour).
SIP messages that came from peers outside the emulator (a phone, SIPp) are counted, not re-sent:
run that peer again against the replay.

Options:
  --gate-timeout-ms <ms>  how long to wait for each output the recording had before a request
                          (default 15000)
  --json                  print the report as JSON
  -h, --help              show this help

Example:
  omnisip scenario run scenarios/library/wrong-password.yaml --out results
  omnisip replay results/*wrong-password*.ndjson
`;

export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { 'gate-timeout-ms': { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) {
    process.stdout.write(replayHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give one journal file (NDJSON), e.g. omnisip replay run.ndjson');
  const file = positionals[0]!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const gate = toInteger('gate-timeout-ms', values['gate-timeout-ms'], { min: 100 });
  const report = await replayJournal(readJournalFile(text), { ...(gate !== undefined && { gateTimeoutMs: gate }) });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : describeReport(file, report));
  return report.divergence ? 1 : 0;
}

/** The report as a person reads it: what was replayed, and the first divergence if any. */
export function describeReport(file: string, report: ReplayReport): string {
  const lines = [`replayed ${file}: ${report.inputs} requests, ${report.outputs} outputs compared (seed ${report.seed ?? 'none: ids matched up'}, ${report.clock} clock)`];
  if (report.external.messages) lines.push(`${report.external.messages} SIP messages came from peers outside the emulator (${report.external.peers.join(', ')}): not re-sent`);
  const d = report.divergence;
  if (!d) lines.push('no divergence: the replay did what the recording did');
  else lines.push(`first divergence, at journal entry ${Math.ceil(d.seq)} (${d.stream}): ${d.what}`, `  recorded: ${d.recorded}`, `  replayed: ${d.replayed}`);
  return `${lines.join('\n')}\n`;
}
