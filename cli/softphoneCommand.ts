import { isIP } from 'node:net';
import { writeWavFile } from '../media/index.js';
import { checkAutoAnswer, loadAudio, RegistrationError, runCallScript, Softphone, type CallScript, type SoftphoneCall } from '../softphone/index.js';
import { parseCommandArgs, toInteger, UsageError } from './args.js';
import type { CommandOutput } from './contractsCommand.js';

export const softphoneHelp = `Usage: omnisip softphone --server <host> --user <name> [options]

A SIP softphone for any PBX (the emulator's, Kamailio, your own): registers, then either calls
--call and exits when the call ends, or waits for calls and answers them per --answer, printing
one line per event. Ctrl-C hangs up, unregisters and exits.

Options:
  --server <host>          the PBX or registrar (required)
  --port <port>            its SIP port (default 5060)
  --transport <udp|tcp>    SIP transport (default udp)
  --user <name>            the account's user name (required)
  --password <password>    the account's password (for digest authentication)
  --domain <domain>        the account's domain: AOR <user>@<domain> (default: --server)
  --call <extension>       call this extension (or sip: URI) once registered, then exit;
                           exits 0 if it was answered, else 1
  --answer <status>        how incoming calls are answered: 200 (default), 180 rings forever,
                           486 busy, 603 decline, any 300-699
  --answer-after-ms <ms>   ring this long before --answer (default 0)
  --tone <hz:ms>           play a tone in each answered call, e.g. 440:800
  --play <file.wav>        play a WAV file in each answered call
  --record <file.wav>      write what each call heard (8 kHz mono); the second call writes
                           <file>-2.wav, and so on
  --duration-s <s>         hang up each call this long after the answer (default: never)
  --bind <address>         local address for SIP and RTP (default 127.0.0.1; give this machine's
                           address to reach a PBX on another host)
  -h, --help               show this help

Examples:
  omnisip softphone --server 127.0.0.1 --port 5060 --user 200 --password human --domain sip.your-provider.com
  omnisip softphone --server 127.0.0.1 --transport tcp --user alice --password a --call 101 --tone 440:800
`;

const processOutput: CommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export async function softphoneCommand(argv: string[], output: CommandOutput = processOutput, signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    server: { type: 'string' },
    port: { type: 'string' },
    transport: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    domain: { type: 'string' },
    call: { type: 'string' },
    answer: { type: 'string' },
    'answer-after-ms': { type: 'string' },
    tone: { type: 'string' },
    play: { type: 'string' },
    record: { type: 'string' },
    'duration-s': { type: 'string' },
    bind: { type: 'string' },
  });
  if (values.help) {
    output.out(softphoneHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'; the extension to call goes in --call`);
  if (values.server === undefined) throw new UsageError('--server is required: the PBX to register with, e.g. --server 127.0.0.1');
  if (values.user === undefined) throw new UsageError('--user is required: the account to register, e.g. --user alice');
  if (values.call !== undefined && !/^(sips?:\S+|[^\s@:;<>?]+)$/i.test(values.call)) throw new UsageError(`--call '${values.call}' is neither an extension (such as 101) nor a sip: URI`);
  const port = toInteger('port', values.port, { min: 1, max: 65535 }) ?? 5060;
  const protocol = protocolOf(values.transport);
  const autoAnswer = answerOf(values.answer, values['answer-after-ms']);
  const { durationMs, audioSource } = mediaOptionsOf(values);
  const audio = await loadAudio(audioSource);
  if (!audio.ok) return fail(output, audio.message);

  const server = { protocol, address: hostOf(values.server), port };
  const domain = values.domain ?? values.server;
  let phone: Softphone;
  try {
    phone = await Softphone.start({
      username: values.user,
      ...(values.password !== undefined ? { password: values.password } : {}),
      domain,
      server,
      autoAnswer,
      localAddress: values.bind ?? '127.0.0.1',
      logger: { info: () => undefined, warn: (message) => output.err(`${message}\n`) },
    });
  } catch (error) {
    if (error instanceof RegistrationError) return fail(output, error.message);
    if (error instanceof TypeError || error instanceof RangeError) throw new UsageError(error.message);
    return fail(output, `cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
  const print = (line: string): void => output.out(`${line}\n`);
  print(`omnisip softphone: registered ${values.user}@${domain} at ${server.address}:${port}/${protocol} (contact ${phone.contact})`);
  phone.on('registration-failed', (failure) => print(`registration lost: ${failure.message} (retrying)`));
  const script: Omit<CallScript, 'print'> = { ...(audio.audio ? { audio: audio.audio } : {}), ...(durationMs !== undefined ? { durationMs } : {}) };
  const save = async (recording: Int16Array, path: string): Promise<void> => {
    await writeWavFile(path, recording);
    print(`recorded ${(recording.length / 8000).toFixed(1)} s to ${path}`);
  };

  if (values.call !== undefined) {
    const run = runCallScript(phone.call(values.call), { ...script, print });
    // The phone stops with the hang-up: a CANCEL or BYE nobody answers then gets its short grace, not Timer B.
    const result = await stopOnSignal(signal, () => (run.hangup(), void phone.stop()), run.done);
    if (values.record !== undefined) await save(result.recording, values.record);
    await phone.stop();
    return result.answered ? 0 : 1;
  }

  print(`waiting for calls (answer: ${autoAnswer.status}${autoAnswer.afterMs ? ` after ${autoAnswer.afterMs} ms` : ''}); Ctrl-C to stop`);
  let received = 0;
  const recordings: Promise<void>[] = [];
  const running = new Set<{ hangup(): void }>();
  phone.on('incoming', (call: SoftphoneCall) => {
    const n = ++received;
    const run = runCallScript(call, { ...script, print: (line) => print(received > 1 ? `[call ${n}] ${line}` : line) });
    running.add(run);
    recordings.push(
      run.done.then(async (result) => {
        running.delete(run);
        if (values.record !== undefined && result.answered) await save(result.recording, numbered(values.record, n));
      }),
    );
  });
  await new Promise<void>((resolve) => {
    const source = signal ?? processSignals();
    if (source.aborted) resolve();
    else source.addEventListener('abort', () => resolve(), { once: true });
  });
  print('stopping: hanging up and unregistering');
  for (const run of running) run.hangup();
  await phone.stop();
  await Promise.all(recordings);
  return 0;
}

function fail(output: CommandOutput, message: string): number {
  output.err(`omnisip softphone: ${message}\n`);
  return 1;
}

/** `out.wav` for the first call, `out-2.wav` for the second... */
function numbered(path: string, n: number): string {
  if (n === 1) return path;
  const dot = path.toLowerCase().endsWith('.wav') ? path.length - 4 : path.length;
  return `${path.slice(0, dot)}-${n}${path.slice(dot)}`;
}

function answerOf(status: string | undefined, afterMs: string | undefined): { status: number; afterMs: number } {
  const code = toInteger('answer', status, { min: 180, max: 699 }) ?? 200;
  try {
    return checkAutoAnswer({ status: code, afterMs: toInteger('answer-after-ms', afterMs) ?? 0 });
  } catch (error) {
    throw new UsageError(`--answer: ${(error as Error).message.replace(/^Softphone: autoAnswer status /, '')}`);
  }
}

/** --transport, as the SIP stack names it. */
export function protocolOf(value: string | undefined): 'UDP' | 'TCP' {
  const lower = (value ?? 'udp').toLowerCase();
  if (lower !== 'udp' && lower !== 'tcp') throw new UsageError(`--transport must be udp or tcp, got '${value}'`);
  return lower === 'udp' ? 'UDP' : 'TCP';
}

/** A host to send SIP to: `localhost` is 127.0.0.1 (our sockets are IPv4), `[::1]` is ::1. */
export function hostOf(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return bare.toLowerCase() === 'localhost' ? '127.0.0.1' : isIP(bare) ? bare : host;
}

/** --tone / --play (one of them) and --duration-s, checked. */
export function mediaOptionsOf(values: { tone?: string; play?: string; 'duration-s'?: string }, defaultDurationS?: number): { durationMs: number | undefined; audioSource: { tone?: string; play?: string } } {
  if (values.tone !== undefined && values.play !== undefined) throw new UsageError('give --tone or --play, not both');
  const raw = values['duration-s'];
  const seconds = raw === undefined ? defaultDurationS : Number(raw);
  if (raw !== undefined && !(/^\d+(\.\d+)?$/.test(raw) && seconds !== undefined && seconds > 0 && seconds <= 86_400)) {
    throw new UsageError(`--duration-s must be a number of seconds above 0 (at most 86400), got '${raw}'`);
  }
  return {
    durationMs: seconds === undefined ? undefined : Math.round(seconds * 1000),
    audioSource: { ...(values.tone !== undefined ? { tone: values.tone } : {}), ...(values.play !== undefined ? { play: values.play } : {}) },
  };
}

/** Waits for `done`; Ctrl-C (or `signal`) calls `interrupt` first, and `done` still settles the command. */
export async function stopOnSignal<T>(signal: AbortSignal | undefined, interrupt: () => void, done: Promise<T>): Promise<T> {
  const source = signal ?? processSignals();
  source.addEventListener('abort', interrupt, { once: true });
  try {
    return await done;
  } finally {
    source.removeEventListener('abort', interrupt);
  }
}

let interrupted: AbortController | undefined;

/** One AbortSignal for SIGINT and SIGTERM of this process. */
function processSignals(): AbortSignal {
  if (interrupted === undefined) {
    const controller = new AbortController();
    interrupted = controller;
    const abort = (): void => controller.abort();
    process.once('SIGINT', abort);
    process.once('SIGTERM', abort);
  }
  return interrupted.signal;
}
