import { promptHeard, type PromptName } from '../../media/index.js';
import type { SoftphoneCall } from '../../softphone/index.js';

/** Resolves once the call's recording holds `prompt` (checked on each frame heard); rejects after `timeoutMs`. */
export function hearsPrompt(call: SoftphoneCall, prompt: PromptName, timeoutMs = 8000): Promise<void> {
  return new Promise((resolve, reject) => {
    let frames = 0;
    const check = (): void => {
      // Every 10th frame (200 ms of audio): the search runs over the whole recording.
      if (frames++ % 10 !== 0 || !promptHeard(call.recording(), prompt)) return;
      clearTimeout(timer);
      call.off('audio', check);
      resolve();
    };
    const timer = setTimeout(() => {
      call.off('audio', check);
      reject(new Error(`the caller did not hear the ${prompt} prompt within ${timeoutMs} ms`));
    }, timeoutMs);
    call.on('audio', check);
    check();
  });
}
