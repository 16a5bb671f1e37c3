#!/usr/bin/env node
import { UsageError } from './args.js';

type Loaded = { run(argv: string[]): Promise<number>; help: string };
/** Each command's module loads only when it runs: `omnisip start` need not load the softphone or the contract suite. */
type Command = { summary: string; load(): Promise<Loaded> };

const commands: Record<string, Command> = {
  start: {
    summary: 'start the emulator (public API, control API, docs)',
    load: async () => {
      const m = await import('./startCommand.js');
      return { run: m.startCommand, help: m.startHelp };
    },
  },
  contracts: {
    summary: 'run the contract suite against omnisip or the live API',
    load: async () => {
      const m = await import('./contractsCommand.js');
      return { run: (argv) => m.contractsCommand(argv), help: m.contractsHelp };
    },
  },
  call: {
    summary: 'call an extension through a running emulator (audio, DTMF, recording)',
    load: async () => {
      const m = await import('./callCommand.js');
      return { run: (argv) => m.callCommand(argv), help: m.callHelp };
    },
  },
  scenario: {
    summary: 'run scenario files (calls, handoffs, faults) with JUnit output; draft one from a journal',
    load: async () => {
      const m = await import('./scenarioCommand.js');
      return { run: (argv) => m.scenarioCommand(argv), help: m.scenarioHelp };
    },
  },
  replay: {
    summary: 'replay a recorded run (a journal) in a fresh world and print the first divergence',
    load: async () => {
      const m = await import('./replayCommand.js');
      return { run: (argv) => m.replayCommand(argv), help: m.replayHelp };
    },
  },
  state: {
    summary: "export or import a running emulator's whole setup (agents, connections, accounts, faults)",
    load: async () => {
      const m = await import('./stateCommand.js');
      return { run: (argv) => m.stateCommand(argv), help: m.stateHelp };
    },
  },
  softphone: {
    summary: 'a SIP softphone for any PBX: register, call or answer',
    load: async () => {
      const m = await import('./softphoneCommand.js');
      return { run: (argv) => m.softphoneCommand(argv), help: m.softphoneHelp };
    },
  },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: omnisip <command> [options]

omnisip emulates the Omniagent SIP API locally: the REST API, the SIP listeners behind it,
and the telephone network around them.

Commands:
${lines.join('\n')}

Run 'omnisip <command> --help' for a command's options.
`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name ? 0 : 1;
  }
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(`omnisip: unknown command '${name}'.\n\n${mainHelp()}`);
    return 2;
  }
  const command = await entry.load();
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`omnisip ${name}: ${error.message}\n\n${command.help}`);
      return 2;
    }
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
