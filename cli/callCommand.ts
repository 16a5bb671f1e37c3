import { writeWavFile } from '../media/index.js';
import { loadAudio, runCallScript, Softphone, type SoftphoneCall } from '../softphone/index.js';
import { parseCommandArgs, toInteger, UsageError } from './args.js';
import type { CommandOutput } from './contractsCommand.js';
import { hostOf, mediaOptionsOf, protocolOf, stopOnSignal } from './softphoneCommand.js';

export const callHelp = `Usage: omnisip call <extension> [options]

Calls an extension through a running emulator's built-in PBX, as a person with a phone would:
an agent's SIP connection user name, the handoff extension 200, or a softphone registered there.
Prints one line per event (ringing, answered, DTMF, transfer, end), plays audio when answered,
records what it hears, and hangs up after --duration-s. Exits 0 if the call was answered, else 1.

Options:
  --api-url <url>          the emulator (default http://127.0.0.1:4010); its PBX port is read from
                           GET /_emulator/health
  --from <user>            the caller's user name (default caller; no registration needed)
  --transport <udp|tcp>    SIP transport to the PBX (default udp)
  --tone <hz:ms>           play a tone when answered, e.g. 440:800
  --play <file.wav>        play a WAV file when answered (any rate, channels, PCM/A-law/μ-law)
  --dtmf <digits>          press keys (RFC 4733 events) ...
  --dtmf-after-ms <ms>     ... this long after the answer (default 3000)
  --say <text>             say something as the caller when answered, through the control API
                           (POST /_emulator/calls/{id}/utterances), e.g. "I want to talk to a human"
  --record <file.wav>      write what the call heard (8 kHz mono; every leg of a transfer)
  --duration-s <s>         hang up this long after the answer, or give up ringing (default 10)
  --bind <address>         local address for SIP and RTP (default 127.0.0.1)
  -h, --help               show this help

Examples:
  omnisip call 101 --tone 440:800 --record heard.wav
  omnisip call 101 --dtmf 0 --dtmf-after-ms 3000 --duration-s 15
`;

const DEFAULT_API_URL = 'http://127.0.0.1:4010';
/** The PBX serves every domain that is not an address (DESIGN.md), so the caller's AOR needs no set-up. */
const CALLER_DOMAIN = 'omnisip.local';

const processOutput: CommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export async function callCommand(argv: string[], output: CommandOutput = processOutput, signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    'api-url': { type: 'string' },
    from: { type: 'string' },
    transport: { type: 'string' },
    tone: { type: 'string' },
    play: { type: 'string' },
    dtmf: { type: 'string' },
    'dtmf-after-ms': { type: 'string' },
    say: { type: 'string' },
    record: { type: 'string' },
    'duration-s': { type: 'string' },
    bind: { type: 'string' },
  });
  if (values.help) {
    output.out(callHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'which extension? e.g. omnisip call 101' : `one extension at a time, got ${positionals.join(' ')}`);
  const extension = positionals[0] ?? '';
  if (!/^(sips?:\S+|[^\s@:;<>?]+)$/i.test(extension)) throw new UsageError(`'${extension}' is neither an extension (such as 101) nor a sip: URI`);
  const apiUrl = parseApiUrl(values['api-url'] ?? DEFAULT_API_URL);
  const protocol = protocolOf(values.transport);
  const from = values.from ?? 'caller';
  if (!/^[^\s@:;<>]+$/.test(from)) throw new UsageError(`--from must be a SIP user name (no spaces, @, :, ;), got '${from}'`);
  const { durationMs, audioSource } = mediaOptionsOf(values, 10);
  const dtmf = dtmfOf(values.dtmf, values['dtmf-after-ms']);
  if (values.say !== undefined && values.say.trim() === '') throw new UsageError('--say needs some text, e.g. --say "I want to talk to a human"');

  const audio = await loadAudio(audioSource);
  if (!audio.ok) return fail(output, audio.message);
  const health = await readHealth(apiUrl);
  if (!health.ok) return fail(output, health.message);

  const server = { protocol, address: hostOf(apiUrl.hostname), port: health.sipPort };
  const say = values.say;
  let phone: Softphone;
  try {
    phone = await Softphone.start({
      username: from,
      domain: CALLER_DOMAIN,
      server,
      register: false,
      localAddress: values.bind ?? '127.0.0.1',
      logger: { info: () => undefined, warn: (message) => output.err(`${message}\n`) },
    });
  } catch (error) {
    return fail(output, `cannot start the softphone: ${error instanceof Error ? error.message : String(error)}`);
  }
  output.out(`omnisip call: ${extension} through the PBX at ${server.address}:${server.port}/${protocol} as ${from}\n`);
  const script = runCallScript(phone.call(extension), {
    ...(audio.audio ? { audio: audio.audio } : {}),
    ...(dtmf ? { dtmf } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
    print: (line) => output.out(`${line}\n`),
    ...(say !== undefined ? { onAnswered: (call: SoftphoneCall, print: (line: string) => void) => sayAsCaller(apiUrl, call, say, print) } : {}),
  });
  // The phone stops with the hang-up: a CANCEL or BYE nobody answers then gets its short grace, not Timer B.
  const result = await stopOnSignal(signal, () => (script.hangup(), void phone.stop()), script.done);
  if (values.record !== undefined) {
    await writeWavFile(values.record, result.recording);
    output.out(`recorded ${(result.recording.length / 8000).toFixed(1)} s to ${values.record}\n`);
  }
  await phone.stop();
  return result.answered ? 0 : 1;
}

function dtmfOf(digits: string | undefined, afterMs: string | undefined): { digits: string; afterMs: number } | undefined {
  if (digits === undefined) {
    if (afterMs !== undefined) throw new UsageError('--dtmf-after-ms goes with --dtmf, e.g. --dtmf 0 --dtmf-after-ms 3000');
    return undefined;
  }
  if (!/^[0-9*#A-D]+$/i.test(digits)) throw new UsageError(`--dtmf takes DTMF digits (0-9, *, #, A-D), got '${digits}'`);
  return { digits: digits.toUpperCase(), afterMs: toInteger('dtmf-after-ms', afterMs, { max: 3_600_000 }) ?? 3000 };
}

function fail(output: CommandOutput, message: string): number {
  output.err(`omnisip call: ${message}\n`);
  return 1;
}

function parseApiUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--api-url must be a URL such as ${DEFAULT_API_URL}, got '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--api-url must be an http:// or https:// URL, got '${value}'`);
  return url;
}

async function readHealth(apiUrl: URL): Promise<{ ok: true; sipPort: number } | { ok: false; message: string }> {
  const url = new URL('/_emulator/health', apiUrl);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    const why = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return { ok: false, message: `cannot reach the emulator at ${apiUrl.origin} (${why}). Start it with 'omnisip start', or pass --api-url.` };
  }
  if (!response.ok) return { ok: false, message: `GET ${url} answered ${response.status}: is ${apiUrl.origin} an omnisip emulator? Pass its address with --api-url.` };
  const body = (await response.json().catch(() => undefined)) as { ports?: { sip?: unknown } } | undefined;
  const sip = body?.ports?.sip;
  if (typeof sip !== 'number') return { ok: false, message: `the emulator at ${apiUrl.origin} runs without its PBX (started with --no-sip?): there is nothing to call through.` };
  return { ok: true, sipPort: sip };
}

/** Posts an utterance for the call: its control-API id is found by Call-ID in GET /_emulator/calls. */
async function sayAsCaller(apiUrl: URL, call: SoftphoneCall, text: string, print: (line: string) => void): Promise<void> {
  const needApi = "--say needs the emulator's call API (GET /_emulator/calls, POST /_emulator/calls/{id}/utterances)";
  // The emulator registers the call as its listener answers: look a few times before giving up.
  let id: string | undefined;
  for (let attempt = 0; attempt < 5 && id === undefined; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    const list = await fetch(new URL('/_emulator/calls', apiUrl)).catch(() => undefined);
    if (list === undefined || list.status === 404) return print(`utterance not sent: ${needApi}; this emulator does not have it`);
    if (!list.ok) return print(`utterance not sent: GET /_emulator/calls answered ${list.status}`);
    const body = (await list.json().catch(() => undefined)) as { items?: Array<{ id?: string; callId?: string }> } | undefined;
    id = body?.items?.find((item) => item.callId === call.callId)?.id;
  }
  if (id === undefined) return print(`utterance not sent: the emulator lists no call with Call-ID ${call.callId} (utterances go to calls an agent's listener answered)`);
  const posted = await fetch(new URL(`/_emulator/calls/${encodeURIComponent(id)}/utterances`, apiUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  }).catch(() => undefined);
  if (posted === undefined || posted.status === 404) return print(`utterance not sent: ${needApi}; POST answered ${posted?.status ?? 'nothing'}`);
  if (!posted.ok) {
    const error = (await posted.json().catch(() => undefined)) as { description?: string } | undefined;
    return print(`utterance not sent: ${posted.status} ${error?.description ?? ''}`.trimEnd());
  }
  print(`said: "${text}"`);
}
