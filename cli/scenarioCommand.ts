import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonReport, junitReport, prettyLine, prettySummary, runScenarios, scenarioFromJournal, tapReport } from '../scenarios/index.js';
import { parseCommandArgs, toInteger, UsageError } from './args.js';

export const scenarioHelp = `Usage: omnisip scenario run [files or folders] [options]
       omnisip scenario from-journal <run.ndjson>

run: runs scenario files (YAML, one scenario each; a folder runs every .yaml in it, fragments
excepted). Each scenario runs in a fresh world of its own: its own API key, ports, seed and
virtual clock (unless it asks for real time), so --parallel cannot make them interfere. A
failure prints its file:line:column, what was expected against what happened, and the ladder of
the call involved. Exits 1 when a scenario fails.

from-journal: turns a recorded session (omnisip start --journal run.ndjson, then curl or your
client) into a draft scenario on standard output.

Options of run:
  --reporter <pretty|junit|json|tap>
                       how results are printed (default pretty); junit, json and tap are also
                       written to --out
  --out <dir>          where reports and each scenario's journal (NDJSON, for omnisip replay)
                       go (default scenario-results)
  --parallel <n>       scenarios at once (default 1)
  --grep <text>        only scenarios whose name, file or tags contain <text>
  --base-url <url>     run against an already running emulator instead of fresh worlds (or,
                       for scenarios that use only public-API steps, the real API)
  -h, --help           show this help

Examples:
  omnisip scenario run scenarios/library
  omnisip scenario run scenarios/library/wrong-password.yaml --reporter junit --out reports
  omnisip scenario from-journal run.ndjson > scenarios/my-session.yaml
`;

export async function scenarioCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    reporter: { type: 'string' },
    out: { type: 'string' },
    parallel: { type: 'string' },
    grep: { type: 'string' },
    'base-url': { type: 'string' },
  });
  const [sub, ...paths] = positionals;
  if (values.help) {
    process.stdout.write(scenarioHelp);
    return 0;
  }
  if (sub === 'from-journal') {
    if (paths.length !== 1) throw new UsageError('from-journal takes one journal file (NDJSON), e.g. omnisip scenario from-journal run.ndjson');
    process.stdout.write(scenarioFromJournal(paths[0]!));
    return 0;
  }
  if (sub !== 'run') throw new UsageError(sub === undefined ? 'say what to do: run or from-journal' : `unknown subcommand '${sub}': use run or from-journal`);
  const reporter = values.reporter ?? 'pretty';
  if (!['pretty', 'junit', 'json', 'tap'].includes(reporter)) throw new UsageError(`--reporter must be pretty, junit, json or tap, got '${reporter}'`);
  const outDir = values.out ?? 'scenario-results';
  const started = performance.now();
  const results = await runScenarios(paths.length ? paths : ['scenarios/library'], {
    outDir,
    parallel: toInteger('parallel', values.parallel, { min: 1, max: 64 }) ?? 1,
    ...(values.grep !== undefined && { grep: values.grep }),
    ...(values['base-url'] !== undefined && { baseUrl: values['base-url'].replace(/\/+$/, '') }),
    ...(reporter === 'pretty' && { onResult: (r) => process.stdout.write(`${prettyLine(r)}\n`) }),
  });
  const wall = performance.now() - started;
  mkdirSync(outDir, { recursive: true });
  const reports = { junit: junitReport(results, wall), json: jsonReport(results, wall), tap: tapReport(results) };
  const files = { junit: 'junit.xml', json: 'results.json', tap: 'results.tap' } as const;
  for (const [kind, text] of Object.entries(reports)) writeFileSync(join(outDir, files[kind as keyof typeof files]), text);
  if (reporter === 'pretty') process.stdout.write(`${prettySummary(results, wall)}\nreports and journals in ${outDir}/\n`);
  else process.stdout.write(reports[reporter as keyof typeof reports]);
  if (results.length === 0) {
    process.stderr.write('omnisip scenario: no scenario matched\n');
    return 1;
  }
  return results.every((r) => r.status === 'passed') ? 0 : 1;
}
