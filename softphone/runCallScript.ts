import { concatPcm } from '../media/index.js';
import type { LoadedAudio } from './loadAudio.js';
import type { CallEnd, SoftphoneCall } from './SoftphoneCall.js';

export interface CallScript {
  /** Played once, when the call is answered. */
  audio?: LoadedAudio;
  /** Digits to press this long after the answer. */
  dtmf?: { digits: string; afterMs: number; method?: 'rfc4733' | 'info' };
  /** Hang up this long after the answer; a call still ringing after it is cancelled. Default: never. */
  durationMs?: number;
  /** Called once, when the call is answered (the CLI posts `--say` from here); the script's end waits for it. */
  onAnswered?: (call: SoftphoneCall, print: (line: string) => void) => void | Promise<void>;
  /** One line per event. */
  print(line: string): void;
}

export interface CallScriptResult {
  answered: boolean;
  /** How the last leg ended (the transfer's new call, if the call was transferred). */
  end: CallEnd;
  /** What every leg heard, one after the other. */
  recording: Int16Array;
  /** The calls the script followed: the first, then each transfer's new call. */
  legs: SoftphoneCall[];
}

/**
 * Drives one call for the command line: prints each event (ringing, answered, DTMF, transfer,
 * hold, end) with the time since the start, plays audio on answer, presses keys after a delay,
 * follows transfers to the new call, and hangs up after `durationMs`. `hangup()` ends it early
 * (Ctrl-C). Resolves when the last leg has ended.
 *
 * @example
 * const result = await runCallScript(phone.call('101'), { durationMs: 10_000, print: console.log }).done;
 * await writeWavFile('heard.wav', result.recording);
 */
export function runCallScript(first: SoftphoneCall, script: CallScript): { done: Promise<CallScriptResult>; hangup(): void } {
  const startedAt = Date.now();
  const print = (line: string): void => script.print(`${((Date.now() - startedAt) / 1000).toFixed(2).padStart(7)}s  ${line}`);
  const legs: SoftphoneCall[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let current = first;
  let answered = false;
  let hangingUp = false;
  let answeredHook: Promise<void> = Promise.resolve();
  const after = (ms: number, action: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
  };
  const hangup = (): void => {
    if (hangingUp) return;
    hangingUp = true;
    void current.hangup();
  };

  const onAnswered = (call: SoftphoneCall): void => {
    print('answered');
    if (answered) return;
    answered = true;
    if (script.durationMs !== undefined) {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      after(script.durationMs, () => {
        print(`hanging up after ${script.durationMs! / 1000} s`);
        hangup();
      });
    }
    const { audio, dtmf } = script;
    if (audio !== undefined) {
      print(`playing ${audio.label}`);
      void call.play(audio.pcm);
    }
    if (dtmf !== undefined) {
      after(dtmf.afterMs, () => {
        if (current.state !== 'active') return;
        current.sendDtmf(dtmf.digits, dtmf.method).then(
          () => print(`DTMF sent: ${dtmf.digits}${dtmf.method === 'info' ? ' (SIP INFO)' : ''}`),
          (error: unknown) => print(`DTMF not sent: ${error instanceof Error ? error.message : String(error)}`),
        );
      });
    }
    answeredHook = Promise.resolve(script.onAnswered?.(call, print)).catch((error: unknown) => print(`${error instanceof Error ? error.message : String(error)}`));
  };

  const follow = (call: SoftphoneCall): Promise<CallEnd> => {
    legs.push(call);
    current = call;
    if (hangingUp) void call.hangup();
    call.on('state', (state) => state === 'ringing' && print('ringing'));
    call.on('answered', () => onAnswered(call));
    if (call.state === 'active') onAnswered(call);
    call.on('dtmf', (digit) => print(`DTMF received: ${digit}`));
    call.on('hold', (onHold) => print(onHold ? 'on hold (the peer held the call)' : 'resumed'));
    call.on('refer', ({ referTo }) => print(`transfer requested to ${referTo}`));
    call.on('transfer-failed', ({ target, status, reason }) => print(`transfer to ${target} failed: ${status} ${reason}; still in the call`));
    // The new call is followed as soon as it is answered, so its lines come in the order things
    // happened: transferred, answered (the new call), then the end of the old one.
    let next: Promise<CallEnd> | undefined;
    call.once('transferred', (newCall) => {
      print(`transferred to ${newCall.remote} (Call-ID ${newCall.callId})`);
      next = follow(newCall);
    });
    return call.ended.then((end) => {
      print(`ended: ${end.reason}${end.status !== undefined ? ` (${end.status})` : ''}${call !== first ? ` [${call.remote}]` : ''}`);
      return next ?? end;
    });
  };

  if (script.durationMs !== undefined) {
    // Nobody answers within the duration either: give up ringing.
    after(script.durationMs, () => {
      if (answered) return;
      print(`no answer after ${script.durationMs! / 1000} s; hanging up`);
      hangup();
    });
  }
  print(first.direction === 'outgoing' ? `calling ${first.remote} (Call-ID ${first.callId})` : `incoming call from ${first.remote} (Call-ID ${first.callId})`);
  const done = follow(first).then(async (end) => {
    for (const timer of timers) clearTimeout(timer);
    await answeredHook;
    return { answered, end, recording: concatPcm(legs.map((leg) => leg.recording())), legs };
  });
  return { done, hangup };
}
