// Test support for softphone tests: waiting for events instead of sleeping.
import { goertzel } from '../media/index.js';
import type { Softphone } from './Softphone.js';
import type { SoftphoneCall, SoftphoneCallEvents } from './SoftphoneCall.js';

/** The next call `phone` receives. */
export function nextIncoming(phone: Softphone): Promise<SoftphoneCall> {
  return new Promise((resolve) => phone.once('incoming', resolve));
}

/** Resolves with `check()` once it returns something other than undefined: checked now and after each `event`. */
export function untilEvent<T>(call: SoftphoneCall, event: keyof SoftphoneCallEvents, check: () => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const test = (): void => {
      const value = check();
      if (value === undefined) return;
      done();
      resolve(value);
    };
    const ended = (): void => {
      test();
      done();
      reject(new Error(`the call ${call.callId} ended while waiting on '${event}'`));
    };
    const done = (): void => {
      call.off(event, test);
      call.off('ended', ended);
    };
    call.on(event, test);
    if (event !== 'ended') call.on('ended', ended);
    test();
  });
}

/** Whether `recording` holds a clear tone at `frequency` (over its last 400 ms, so that older audio does not dilute it). */
export function heardTone(recording: Int16Array, frequency: number): true | undefined {
  const recent = recording.subarray(Math.max(0, recording.length - 3200));
  return recent.length >= 800 && goertzel(recent, frequency) > 0.1 ? true : undefined;
}
