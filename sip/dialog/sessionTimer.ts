import { parseCSeq, type SipRequest, type SipResponse } from '../message/index.js';
import type { Scheduler } from '../useragent/Scheduler.js';
import type { Dialog } from './Dialog.js';

/** RFC 4028 §4: the smallest Session-Expires anyone may ask for, seconds. */
export const MINIMUM_SESSION_INTERVAL = 90;

/** A Session-Expires value (RFC 4028 §4): `1800;refresher=uac`. */
export function parseSessionExpires(value: string | undefined): { seconds: number; refresher?: 'uac' | 'uas' } | undefined {
  const match = /^\s*(\d{1,10})\s*(?:;(.*))?$/.exec(value ?? '');
  if (match === null) return undefined;
  const refresher = /(?:^|;)\s*refresher\s*=\s*(uac|uas)\s*(?:;|$)/i.exec(match[2] ?? '')?.[1]?.toLowerCase() as 'uac' | 'uas' | undefined;
  return { seconds: Number(match[1]), ...(refresher && { refresher }) };
}

/**
 * After `422 Session Interval Too Small` (RFC 4028 §7.4): the INVITE to send again, with the next
 * CSeq, `Session-Expires` raised to the 422's Min-SE, and that `Min-SE`. Undefined when the 422
 * names no larger interval than the one we asked for (nothing to retry with).
 */
export function retryWithMinSE(request: SipRequest, response: SipResponse): SipRequest | undefined {
  if (response.status !== 422) return undefined;
  const minSE = parseSessionExpires(response.headers.get('Min-SE'))?.seconds;
  const asked = parseSessionExpires(request.headers.get('Session-Expires'))?.seconds ?? 0;
  if (minSE === undefined || minSE <= asked) return undefined;
  const headers = request.headers.clone();
  const seq = parseCSeq(headers.get('CSeq') ?? '')?.seq ?? 0;
  headers.set('CSeq', `${seq + 1} ${request.method}`);
  headers.set('Session-Expires', `${minSE};refresher=uac`);
  headers.set('Min-SE', minSE);
  return { type: 'request', method: request.method, uri: request.uri, headers, body: request.body };
}

/**
 * The refresher's side of RFC 4028 (§7.2, §10): a re-INVITE with the same SDP at half the session
 * interval, again after each 2xx (whose Session-Expires, when present, sets the next interval).
 * A refresh that fails (not 2xx, nor 491 glare, which is retried at the next half) ends the call
 * with BYE, as §10 asks of a refresher that cannot refresh. Timers run on `scheduler`, so virtual
 * time can jump over them.
 */
export class SessionRefresher {
  private timer: unknown;
  private stopped = false;

  constructor(
    private readonly dialog: Dialog,
    private seconds: number,
    private readonly options: { scheduler: Scheduler; sdp: string | undefined; onRefresh?: (response: SipResponse | undefined) => void },
  ) {
    void dialog.ended.then(() => this.stop());
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.options.scheduler.clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.options.scheduler.setTimeout(() => void this.refresh(), (this.seconds * 1000) / 2);
  }

  private async refresh(): Promise<void> {
    const { sdp } = this.options;
    const asked = this.seconds;
    // The next refresh is scheduled as this one leaves, on the scheduler's time: a virtual clock
    // then sees it at once, whenever the answer comes; a 2xx naming another interval reschedules.
    this.schedule();
    const result = await this.dialog.request('INVITE', {
      headers: [['Session-Expires', `${asked};refresher=uac`], ['Supported', 'timer']],
      ...(sdp === undefined ? {} : { body: sdp, contentType: 'application/sdp' }),
    });
    if (this.stopped) return;
    const response = result.ok ? result.response : undefined;
    this.options.onRefresh?.(response);
    if (response !== undefined && response.status >= 200 && response.status < 300) {
      this.seconds = parseSessionExpires(response.headers.get('Session-Expires'))?.seconds ?? asked;
      if (this.seconds !== asked) {
        this.options.scheduler.clearTimeout(this.timer);
        this.schedule();
      }
      return;
    }
    // 491 (glare) or another INVITE in progress: the refresh already scheduled tries again.
    if (response?.status === 491 || (!result.ok && result.reason === 'request-pending')) return;
    this.stop();
    void this.dialog.bye();
  }
}
