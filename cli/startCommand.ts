import os from 'node:os';
import { type EmulatorOptions, readConfigFile, startEmulator } from '../emulator/index.js';
import { parseCommandArgs, toInteger, UsageError } from './args.js';
import { applyPriority, describeScheduling, parsePriority } from './processPriority.js';

export const startHelp = `Usage: omnisip start [options]

Starts the emulator: the Omniagent public API under /public, the control API under /_emulator,
API docs at /docs, a dashboard at /, and the built-in PBX. Prints one line when ready. Stop it with Ctrl-C.

Options:
  --api-profile <guide|latest> which service to emulate (default guide): guide is the vendor's SIP
                               guide (plain language names, name optional); latest is the docs of
                               August 2026 (ISO 639-1 languages, name required, kiosk channel,
                               sipPods quota, outbound calls)
  --sip-quota <n>              each project's sipPods quota (default: 0 in latest, no limit in guide)
  --quota-approval <auto|manual>  approve quota requests at once (default), or leave them pending
                               for PUT /_emulator/projects/{apiKey}/quota-requests/{id}
  --api-port <port>            REST API port (default 4010; 0 picks a free port)
  --sip-port <port>            built-in PBX port, UDP and TCP (default 5060; 0 picks a free port)
  --no-sip                     API only: no PBX, no SIP listeners (connections stay Running/registering)
  --host <address>             address to bind (default 127.0.0.1)
  --clock <real|virtual>       real time (default), or virtual time moved by POST /_emulator/clock/advance
  --clock-start <iso|ms>       where a virtual clock starts (default now; 2026-01-01T00:00:00Z with --seed)
  --provision-delay-ms <ms>    how long a new SIP connection stays Pending (default 2000)
  --restart-delay-ms <ms>      how long a crashed listener stays in Error before restarting (default 5000)
  --seed <n>                   reproducible run: every id, tag, Call-ID, nonce and random choice draws
                               from this seed (default: none; ids are then unguessable)
  --journal <file>             also write the journal (every API request, SIP message and event) to
                               this file as NDJSON, for replay or a CI artifact
  --state-dir <dir>            keep the setup (agents, channel configs, SIP connections with their ids
                               and passwords, PBX accounts set through the control API, fault rules)
                               in this directory: each change is on disk before its 2xx, and a start
                               with the same directory puts it all back (default: nothing on disk)
  --journal-size <n>           journal entries kept in memory (default 20000)
  --agent-limit <n>            agents per project before 409 AgentLimitExceeded (default 100)
  --log-level <level>          silent | error | warn | info (default info)
  --priority <nice|realtime>   run at this scheduling priority: a nice value, -20 (highest) to 19,
                               or realtime (SCHED_FIFO 10 through chrt, as Asterisk's -p). A media
                               process that waits for a CPU sends its RTP late: on a machine busy with
                               other programs give it -10; where other work holds a CPU for
                               milliseconds at a time (a VM's kernel threads), realtime (it needs
                               two CPUs: on one, it is refused). Raising it needs root or
                               CAP_SYS_NICE; if it cannot be set, a warning says why and the emulator
                               runs on at the priority it has
  --config <file>              YAML or JSON file with the same options (camelCase: apiPort, clock, ...);
                               command-line options win over the file
  -h, --help                   show this help

Example:
  omnisip start --api-port 4010 --clock virtual
  curl -H 'X-Api-Key: demo' http://127.0.0.1:4010/public/agents
`;

export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    'api-profile': { type: 'string' },
    'sip-quota': { type: 'string' },
    'quota-approval': { type: 'string' },
    'api-port': { type: 'string' },
    'sip-port': { type: 'string' },
    'no-sip': { type: 'boolean' },
    host: { type: 'string' },
    clock: { type: 'string' },
    'clock-start': { type: 'string' },
    'provision-delay-ms': { type: 'string' },
    'restart-delay-ms': { type: 'string' },
    seed: { type: 'string' },
    journal: { type: 'string' },
    'state-dir': { type: 'string' },
    'journal-size': { type: 'string' },
    'agent-limit': { type: 'string' },
    'log-level': { type: 'string' },
    priority: { type: 'string' },
    config: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(startHelp);
    return 0;
  }
  const clock = values.clock;
  if (clock !== undefined && clock !== 'real' && clock !== 'virtual') throw new UsageError(`--clock must be 'real' or 'virtual', got '${clock}'`);
  const apiProfile = values['api-profile'];
  if (apiProfile !== undefined && apiProfile !== 'guide' && apiProfile !== 'latest') throw new UsageError(`--api-profile must be 'guide' or 'latest', got '${apiProfile}'`);
  const quotaApproval = values['quota-approval'];
  if (quotaApproval !== undefined && quotaApproval !== 'auto' && quotaApproval !== 'manual') throw new UsageError(`--quota-approval must be 'auto' or 'manual', got '${quotaApproval}'`);
  const logLevel = values['log-level'];
  if (logLevel !== undefined && !['silent', 'error', 'warn', 'info'].includes(logLevel)) throw new UsageError(`--log-level must be silent, error, warn or info, got '${logLevel}'`);

  const priority = values.priority === undefined ? undefined : parsePriority(values.priority);
  if (values.priority !== undefined && priority === undefined) throw new UsageError(`--priority must be realtime or an integer from -20 to 19, got '${values.priority}'`);

  const fromFile: EmulatorOptions = values.config ? readConfigFile(values.config) : {};
  const fromArgs: EmulatorOptions = {
    apiProfile,
    sipQuota: toInteger('sip-quota', values['sip-quota']),
    quotaApproval,
    apiPort: toInteger('api-port', values['api-port'], { max: 65535 }),
    sipPort: toInteger('sip-port', values['sip-port'], { max: 65535 }),
    sip: values['no-sip'] ? false : undefined,
    host: values.host,
    clock,
    clockStart: values['clock-start'],
    provisionDelayMs: toInteger('provision-delay-ms', values['provision-delay-ms']),
    restartDelayMs: toInteger('restart-delay-ms', values['restart-delay-ms']),
    seed: toInteger('seed', values.seed, { min: -(2 ** 31), max: 2 ** 31 }),
    journal: values.journal,
    stateDir: values['state-dir'],
    journalSize: toInteger('journal-size', values['journal-size'], { min: 1 }),
    agentLimit: toInteger('agent-limit', values['agent-limit']),
    logLevel: logLevel as EmulatorOptions['logLevel'],
  };
  const options = { ...fromFile, ...Object.fromEntries(Object.entries(fromArgs).filter(([, v]) => v !== undefined)) } as EmulatorOptions;

  if (priority !== undefined) {
    const warning = applyPriority(priority);
    if (warning) process.stderr.write(`omnisip: ${warning}\n`);
  }
  const emulator = await startEmulator(options);
  process.stdout.write(
    `omnisip ready: API ${emulator.url}/public  control ${emulator.url}/_emulator  docs ${emulator.url}/docs  dashboard ${emulator.url}/  ${emulator.ports.sip !== undefined ? `PBX sip:127.0.0.1:${emulator.ports.sip} (UDP+TCP)  ` : ''}(API profile ${emulator.control.getHealth().apiProfile}, clock ${options.clock ?? 'real'}, ${emulator.control.getHealth().seed === null ? 'not seeded' : `seed ${emulator.seed}`}${options.journal ? `, journal ${options.journal}` : ''}${options.stateDir ? `, state ${options.stateDir}` : ''}${priority !== undefined ? `, priority ${describeScheduling() ?? os.getPriority(0)}` : ''})\n`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  return stopWithin(emulator, signal);
}

/** How long `omnisip start` may take to stop once told: a CI job may start another on the same ports right after. */
export const STOP_DEADLINE_MS = 2000;

/**
 * Closes the emulator: its listeners and softphones give their last requests (BYE, unREGISTER) a
 * short grace, then abandon them. A second signal exits at once; a process still there near the
 * deadline exits too (it says so, and the exit status is 1).
 */
async function stopWithin(emulator: { close(): Promise<void> }, first: NodeJS.Signals): Promise<number> {
  process.stderr.write(`omnisip: ${first}: stopping (again to exit at once)\n`);
  const exitNow = (signal: NodeJS.Signals): void => {
    process.stderr.write(`omnisip: ${signal} again: exiting without waiting\n`);
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  };
  process.on('SIGINT', exitNow);
  process.on('SIGTERM', exitNow);
  // Unref'd and never cleared: it fires only if the close, or a handle it left open, holds the process.
  setTimeout(() => {
    process.stderr.write(`omnisip: not stopped ${STOP_DEADLINE_MS - 200} ms after ${first}; exiting anyway\n`);
    process.exit(1);
  }, STOP_DEADLINE_MS - 200).unref();
  await emulator.close();
  return 0;
}
