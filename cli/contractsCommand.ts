import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { formatResult, formatSummary, runContracts, toJUnitXml, type ContractProfile, type ContractTarget } from '../contracts/index.js';
import { parseCommandArgs, UsageError } from './args.js';

export const contractsHelp = `Usage: omnisip contracts --base-url <url> --api-key <key> [options]

Runs the contract suite against an Omniagent API: omnisip itself, or the vendor's live API.
Each case checks a documented behaviour (agents, channel configs, SIP connections, auth and
project isolation, the error envelope) and deletes whatever it created. Prints one line per case
and a summary; exits 1 if any case failed.

Against the live API, use a key of a project with SIP enabled (SIP connections are in private
preview, by request), and a throw-away project: the suite creates and deletes agents there.
A live run checks only what the vendor documents; the behaviours omnisip assumes where the docs
are silent are checked against the emulator, or live with --strict (to see where they differ).

Options:
  --base-url <url>          the API's base URL, without /public
                            (e.g. https://companion-api.napster.com or http://127.0.0.1:4010)
  --api-key <key>           the project's X-Api-Key
  --other-api-key <key>     a key of a second project, for the isolation cases (skipped without it
                            on the live API; against omnisip any other key is another project)
  --allow-sip               run the cases that create SIP connections on the live API; each one
                            deploys a listener and uses SIP quota (always on against omnisip)
  --companion-id <id>       the companion the suite's agents use (default: the guide's comp_abc123;
                            the live API may need one of yours)
  --target <auto|emulator|live>
                            what the base URL is (default auto: omnisip if it answers
                            GET /_emulator/health, else live)
  --profile <auto|guide|latest>
                            which version of the API to expect (default auto: the profile omnisip
                            runs, from GET /_emulator/health; latest for the live API). guide is
                            the SIP guide (plain language names, name optional); latest is the docs
                            of August 2026 (ISO 639-1 languages, name required, kiosk, sipPods quota,
                            outbound calls: the suite asks for sipPods quota before its first
                            connection)
  --strict                  also check omnisip's assumptions (always on against omnisip)
  --grep <text>             only the cases whose "group › name" contains <text>
  --junit <file>            also write the results as JUnit XML, for CI
  -h, --help                show this help

Examples:
  omnisip contracts --base-url http://127.0.0.1:4010 --api-key demo
  npm run contracts -- --profile latest --base-url http://127.0.0.1:4010 --api-key demo
  npm run contracts -- --base-url https://companion-api.napster.com --api-key "$NAPSTER_API_KEY" \\
    --other-api-key "$NAPSTER_OTHER_KEY" --allow-sip --junit reports/contracts.xml
`;

/** Where the command writes; the process's streams unless a test passes its own. */
export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: CommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export async function contractsCommand(argv: string[], output: CommandOutput = processOutput): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    'base-url': { type: 'string' },
    'api-key': { type: 'string' },
    'other-api-key': { type: 'string' },
    'allow-sip': { type: 'boolean' },
    'companion-id': { type: 'string' },
    target: { type: 'string' },
    strict: { type: 'boolean' },
    profile: { type: 'string' },
    grep: { type: 'string' },
    junit: { type: 'string' },
  });
  if (values.help) {
    output.out(contractsHelp);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const baseUrl = values['base-url'];
  const apiKey = values['api-key'];
  if (!baseUrl) throw new UsageError('--base-url is required');
  if (!/^https?:\/\/[^/]/.test(baseUrl)) throw new UsageError(`--base-url must be an http(s) URL, got '${baseUrl}'`);
  if (!apiKey) throw new UsageError('--api-key is required');
  const targetOption = values.target ?? 'auto';
  if (!['auto', 'emulator', 'live'].includes(targetOption)) throw new UsageError(`--target must be auto, emulator or live, got '${targetOption}'`);

  const profileOption = values.profile ?? 'auto';
  if (!['auto', 'guide', 'latest'].includes(profileOption)) throw new UsageError(`--profile must be auto, guide or latest, got '${profileOption}'`);

  const health = targetOption === 'live' ? undefined : await readHealth(baseUrl);
  const target: ContractTarget = targetOption === 'auto' ? (health ? 'emulator' : 'live') : (targetOption as ContractTarget);
  const running = health?.apiProfile;
  const profile: ContractProfile = profileOption === 'auto' ? (running ?? (target === 'live' ? 'latest' : 'guide')) : (profileOption as ContractProfile);
  if (running && running !== profile) output.err(`omnisip contracts: the emulator runs --api-profile ${running}, and the suite expects ${profile}: cases that differ between the two will fail. Start it with --api-profile ${profile}, or drop --profile.\n`);
  output.out(`omnisip contracts: ${baseUrl} (${target}, profile ${profile}${values.strict || target === 'emulator' ? ', strict' : ''})\n`);

  const summary = await runContracts({
    baseUrl,
    apiKey,
    target,
    profile,
    ...(values['other-api-key'] ? { otherApiKey: values['other-api-key'] } : {}),
    ...(values.strict ? { strict: true } : {}),
    allowSip: values['allow-sip'] ?? false,
    ...(values.grep ? { grep: values.grep } : {}),
    ...(values['companion-id'] ? { companionId: values['companion-id'] } : {}),
    onResult: (result) => output.out(`${formatResult(result)}\n`),
  });
  output.out(`${formatSummary(summary)}\n`);
  if (summary.results.length === 0) output.err(`omnisip contracts: no case matches --grep '${values.grep}'.\n`);

  if (values.junit) {
    const file = resolve(values.junit);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, toJUnitXml(summary));
    output.out(`JUnit XML written to ${file}\n`);
  }
  return summary.failed > 0 || summary.results.length === 0 ? 1 : 0;
}

/** omnisip answers its health route (with the profile it runs); the vendor's API does not have one. */
async function readHealth(baseUrl: string): Promise<{ apiProfile?: ContractProfile } | undefined> {
  try {
    const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/_emulator/health`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json().catch(() => undefined)) as { status?: unknown; ports?: unknown; apiProfile?: ContractProfile } | undefined;
    return res.ok && body?.status === 'ok' && typeof body.ports === 'object' ? body : undefined;
  } catch {
    return undefined;
  }
}
