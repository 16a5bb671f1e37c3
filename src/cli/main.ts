#!/usr/bin/env node
import { UsageError } from './args.js';
import { callCommand, callHelp } from './callCommand.js';
import { contractsCommand, contractsHelp } from './contractsCommand.js';
import { softphoneCommand, softphoneHelp } from './softphoneCommand.js';
import { startCommand, startHelp } from './startCommand.js';

type Command = { run(argv: string[]): Promise<number>; summary: string; help: string };

const commands: Record<string, Command> = {
  start: { run: startCommand, summary: 'start the emulator (public API, control API, docs)', help: startHelp },
  contracts: { run: (argv) => contractsCommand(argv), summary: 'run the contract suite against omnisip or the live API', help: contractsHelp },
  call: { run: (argv) => callCommand(argv), summary: 'call an extension through a running emulator (audio, DTMF, recording)', help: callHelp },
  softphone: { run: (argv) => softphoneCommand(argv), summary: 'a SIP softphone for any PBX: register, call or answer', help: softphoneHelp },
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
  const command = commands[name];
  if (!command) {
    process.stderr.write(`omnisip: unknown command '${name}'.\n\n${mainHelp()}`);
    return 2;
  }
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
