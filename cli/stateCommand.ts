import { readFileSync } from 'node:fs';
import { parseCommandArgs, UsageError } from './args.js';

export const stateHelp = `Usage: omnisip state export [--include-secrets] [options] > snapshot.json
       omnisip state import <snapshot.json> [options]

Exports or imports the whole setup of a running emulator through its control API
(GET and PUT /_emulator/state): every project's agents, channel configs and SIP connections
with their ids and 'created', the PBX accounts set through the control API, and the fault rules.

export  prints the setup as JSON. Passwords are left out unless --include-secrets is given:
        an export without them can be shared, and imported connections then fail their
        registration until each is PATCHed with settings.password.
import  replaces the emulator's whole setup with the file's (its listeners stop; the file's
        connections are provisioned as new ones). Prints what was imported and, one line each,
        what will not work until fixed (a connection or PBX account without its password).

To keep the setup across restarts without exporting, start the emulator with --state-dir.

Options:
  --base-url <url>       the emulator (default http://127.0.0.1:4010)
  --include-secrets      export: include the SIP and PBX account passwords
  -h, --help             show this help

Example:
  omnisip state export > setup.json
  omnisip state import setup.json --base-url http://127.0.0.1:4011
`;

/** What `omnisip state` writes to: stdout and stderr, replaceable in tests. */
export interface StateOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: StateOutput = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

export async function stateCommand(argv: string[], output: StateOutput = processOutput): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { 'base-url': { type: 'string' }, 'include-secrets': { type: 'boolean' } });
  if (values.help) {
    output.out(stateHelp);
    return 0;
  }
  const [action, ...files] = positionals;
  const baseUrl = (values['base-url'] ?? 'http://127.0.0.1:4010').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUrl)) throw new UsageError(`--base-url must be an http(s) URL such as http://127.0.0.1:4010, got '${baseUrl}'`);
  if (action === 'export') {
    if (files.length > 0) throw new UsageError(`export takes no file: redirect its output, e.g. omnisip state export > ${files[0]}`);
    const body = await request(baseUrl, 'GET', `/_emulator/state${values['include-secrets'] ? '?includeSecrets=true' : ''}`);
    output.out(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  if (action === 'import') {
    if (values['include-secrets']) throw new UsageError('--include-secrets is an export option: an import takes whatever passwords its file holds');
    if (files.length !== 1) throw new UsageError('give one snapshot file, e.g. omnisip state import setup.json');
    const file = files[0]!;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    let snapshot: unknown;
    try {
      snapshot = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${file} is not JSON (${(error as Error).message}); give a file written by omnisip state export`);
    }
    const report = (await request(baseUrl, 'PUT', '/_emulator/state', snapshot)) as { imported: Record<string, number>; warnings: string[] };
    const counts = Object.entries(report.imported).map(([name, n]) => `${n} ${name}`).join(', ');
    output.out(`imported ${file} into ${baseUrl}: ${counts}\n`);
    for (const warning of report.warnings) output.err(`warning: ${warning}\n`);
    return 0;
  }
  throw new UsageError(action === undefined ? "say what to do: 'omnisip state export' or 'omnisip state import <file>'" : `unknown action '${action}': use export or import`);
}

async function request(baseUrl: string, method: 'GET' | 'PUT', path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, { method, ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  } catch (error) {
    throw new Error(`omnisip state: cannot reach the emulator at ${baseUrl} (${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}). Start it with 'omnisip start', or point --base-url at it.`);
  }
  const text = await response.text();
  if (!response.ok) {
    let description = text;
    try {
      description = (JSON.parse(text) as { description?: string }).description ?? text;
    } catch {
      // Not the error envelope: show the text as it came.
    }
    throw new Error(`omnisip state: ${method} ${path} failed with ${response.status}: ${description}`);
  }
  return JSON.parse(text);
}
