import { DigestClient, type DigestChallenge } from '../digest/index.js';
import { createRequest, formatNameAddr, generateCallId, generateTag, parseNameAddr, parseUri, type SipRequest, type SipResponse } from '../message/index.js';
import { createCancel } from '../transaction/index.js';
import type { Endpoint } from '../transport/index.js';
import { authorizeRetry } from '../useragent/authorizeRetry.js';
import { Dialog, type DialogHost } from './Dialog.js';
import { createUacDialogState, tagOf } from './DialogState.js';
import { PrackSender } from './PrackSender.js';
import { parseSessionExpires, retryWithMinSE, SessionRefresher } from './sessionTimer.js';
import { realScheduler, type Scheduler } from '../useragent/Scheduler.js';

export interface InviteOptions {
  /** The Request-URI: whom to call, e.g. `sip:101@127.0.0.1`. */
  target: string;
  /** Our identity (URI or name-addr); a tag is added. */
  from: string;
  /** The Call-ID; default a new one. Give it when the call must be known by it before the INVITE goes (a call record). */
  callId?: string;
  /** The callee's identity; default the target. */
  to?: string;
  /** Where the INVITE goes: the callee, or the proxy that serves it. Later requests follow the dialog's route set. */
  destination: Endpoint;
  /** Our SDP offer. Without it the callee offers in its 200 and `answer` builds the answer for the ACK. */
  sdp?: string;
  answer?: (offer: string, response: SipResponse) => string;
  /** For a proxy or callee that challenges (401/407); default the user agent's. */
  credentials?: { username: string; password: string };
  headers?: Array<[string, string | number]>;
  /** Each 1xx (100 Trying, 180 Ringing, 183 with early media); a reliable one once, after its PRACK went out. */
  onProvisional?: (response: SipResponse) => void;
  /**
   * Reliable provisional responses (RFC 3262): `supported` says we take them (`Supported: 100rel`),
   * `required` demands them (`Require: 100rel`). Either way a reliable 1xx is PRACKed. Default: neither said.
   */
  reliableProvisionals?: 'supported' | 'required';
  /**
   * Session timers (RFC 4028), as the refresher: `Session-Expires: seconds` and `Supported: timer`
   * in the INVITE, a retry with the Min-SE of a 422, and then a re-INVITE with the same SDP at half
   * the interval (on `scheduler`, default real timers) for as long as the call lasts.
   */
  sessionTimer?: { seconds: number; scheduler?: Scheduler; onRefresh?: (response: SipResponse | undefined) => void };
}

/** What came of an INVITE: a confirmed dialog, or the failure status (408 when nothing answered, 503 when unreachable). */
export type InviteResult = { ok: true; dialog: Dialog; response: SipResponse } | { ok: false; status: number; reason: string; response?: SipResponse };

/**
 * An INVITE we sent (UAC, RFC 3261 §13.2): provisional responses are reported, a 2xx is ACKed
 * (and ACKed again when it is retransmitted) and gives the Dialog, a 401/407 is answered once with
 * digest credentials, and `cancel()` sends CANCEL once a provisional response has come (§9.1).
 * Built by `UserAgent.invite`.
 */
export class OutgoingInvite {
  readonly callId: string;
  /** The final outcome; never rejects. */
  readonly result: Promise<InviteResult>;
  private readonly from: string;
  private readonly to: string;
  private readonly digest: DigestClient | undefined;
  private readonly dialogs = new Map<string, Dialog>();
  private readonly pracks: PrackSender;
  private current: SipRequest | undefined;
  private provisional = false;
  private cancelling: 'no' | 'requested' | 'sent' = 'no';
  private settled = false;
  private settle!: (result: InviteResult) => void;
  private cancelGuard: ReturnType<typeof setTimeout> | undefined;
  /** Further 2xx that arrived before the first one's dialog existed; undefined once it does. */
  private early2xx: SipResponse[] | undefined = [];

  /** @internal */
  constructor(
    private readonly host: DialogHost,
    private readonly options: InviteOptions,
  ) {
    // Checked here, so that a bad argument throws at the call site rather than in the promise.
    if (parseUri(options.target) === undefined) throw new TypeError(`UserAgent.invite: target ${JSON.stringify(options.target)} is not a SIP URI`);
    this.callId = options.callId ?? generateCallId(undefined, host.stack.random);
    this.from = withTag(options.from, generateTag(host.stack.random));
    this.to = asNameAddr(options.to ?? `<${options.target}>`);
    const { credentials } = options;
    this.digest = credentials === undefined ? host.digest : new DigestClient(credentials.username, credentials.password, { random: host.stack.random });
    this.pracks = new PrackSender(host, options.destination.protocol);
    this.result = new Promise((resolve) => {
      this.settle = (result) => {
        if (this.settled) return;
        this.settled = true;
        clearTimeout(this.cancelGuard);
        resolve(result);
      };
    });
    void this.run().then((result) => this.settle(result));
  }

  /** Hangs up before the answer. The CANCEL waits for a provisional response (§9.1); the result then is 487. */
  cancel(): void {
    if (this.settled || this.cancelling !== 'no') return;
    this.cancelling = 'requested';
    if (this.provisional) this.sendCancel();
  }

  private async run(): Promise<InviteResult> {
    const { options, from, to } = this;
    const { destination, sdp, reliableProvisionals, sessionTimer } = options;
    const supported = [...(reliableProvisionals === undefined ? [] : ['100rel']), ...(sessionTimer === undefined ? [] : ['timer'])];
    const extensions: Array<[string, string | number]> = [
      ...(supported.length > 0 ? [['Supported', supported.join(', ')] as [string, string]] : []),
      ...(reliableProvisionals === 'required' ? [['Require', '100rel'] as [string, string]] : []),
      ...(sessionTimer === undefined ? [] : [['Session-Expires', `${sessionTimer.seconds};refresher=uac`] as [string, string]]),
    ];
    let answered: DigestChallenge | undefined;
    let invite = createRequest({
      method: 'INVITE',
      uri: options.target,
      headers: [['From', from], ['To', to], ['Call-ID', this.callId], ['CSeq', '1 INVITE'], ['Contact', this.host.contact], ['Allow', this.host.allow], ...extensions, ...(options.headers ?? [])],
      ...(sdp === undefined ? {} : { body: sdp, contentType: 'application/sdp' }),
    });
    for (;;) {
      if (this.cancelling !== 'no') return { ok: false, status: 487, reason: 'Request Terminated (cancelled before it was sent)' };
      const sent = invite;
      this.current = sent;
      this.provisional = false;
      const result = await this.host.stack.request(sent, destination, {
        onProvisional: (response) => this.pracks.receive(sent, response) && this.onProvisional(response),
        onRetransmitted2xx: (response) => this.onAnother2xx(sent, response),
      });
      if (!result.ok) {
        return result.reason === 'timeout'
          ? { ok: false, status: 408, reason: 'Request Timeout (no final response)' }
          : { ok: false, status: 503, reason: `Service Unavailable (${result.error?.message ?? 'transport failure'})` };
      }
      const { response } = result;
      if (response.status >= 200 && response.status < 300) return this.established(sent, response);
      // A second challenge refuses the credentials, unless it only says the nonce went stale.
      const retry = this.digest === undefined ? undefined : authorizeRetry(sent, response, this.digest, answered);
      if (retry !== undefined) {
        ({ request: invite, challenge: answered } = retry);
        continue;
      }
      // RFC 4028 §7.4: too short a session interval; ask again for the one the 422 names.
      const longer = sessionTimer === undefined ? undefined : retryWithMinSE(sent, response);
      if (longer !== undefined) {
        invite = longer;
        continue;
      }
      return { ok: false, status: response.status, reason: response.reason, response };
    }
  }

  private established(invite: SipRequest, response: SipResponse): InviteResult {
    const dialog = this.createDialog(invite, response);
    // 2xx that overtook this one's promise continuation: now they can be told apart from it.
    const early = this.early2xx;
    this.early2xx = undefined;
    for (const another of early ?? []) this.onAnother2xx(invite, another);
    if (this.cancelling === 'no') {
      this.startSessionTimer(dialog, invite, response);
      return { ok: true, dialog, response };
    }
    // The 200 crossed our CANCEL: the call exists, so it is ended the way a call is (§15).
    void dialog.bye();
    return { ok: false, status: 487, reason: 'Request Terminated (answered while cancelling; ended with BYE)', response };
  }

  private createDialog(invite: SipRequest, response: SipResponse): Dialog {
    const state = createUacDialogState(invite, response, this.options.destination.protocol);
    // Our PRACKs used CSeq numbers after the INVITE's: the dialog's next request comes after them.
    state.localSeq = Math.max(state.localSeq, this.pracks.seq);
    const dialog = new Dialog(this.host, state, this.digest);
    this.dialogs.set(tagOf(response.headers.get('To') ?? '') ?? '', dialog);
    this.host.adopt(dialog);
    dialog.acknowledge(invite, response, this.options.answer);
    return dialog;
  }

  /** RFC 4028 §7.2: we refresh unless the 2xx names the callee as refresher; the interval is the 2xx's, else ours. */
  private startSessionTimer(dialog: Dialog, invite: SipRequest, response: SipResponse): void {
    const timer = this.options.sessionTimer;
    if (timer === undefined) return;
    const granted = parseSessionExpires(response.headers.get('Session-Expires')) ?? parseSessionExpires(invite.headers.get('Session-Expires'));
    if (granted === undefined || granted.refresher === 'uas') return;
    const sdp = invite.body.length > 0 ? invite.body.toString('utf8') : undefined;
    new SessionRefresher(dialog, granted.seconds, { scheduler: timer.scheduler ?? realScheduler, sdp, ...(timer.onRefresh && { onRefresh: timer.onRefresh }) });
  }

  /** A 2xx after the first: a retransmission (our ACK was lost), or another fork's answer (§13.2.2.4). */
  private onAnother2xx(invite: SipRequest, response: SipResponse): void {
    if (this.early2xx !== undefined) {
      this.early2xx.push(response);
      return;
    }
    const known = this.dialogs.get(tagOf(response.headers.get('To') ?? '') ?? '');
    if (known !== undefined) return known.reacknowledge(response);
    // A second fork answered: ACK it, then hang it up, since the call already has its dialog.
    void this.createDialog(invite, response).bye();
  }

  private onProvisional(response: SipResponse): void {
    this.provisional = true;
    if (this.cancelling === 'requested') this.sendCancel();
    this.options.onProvisional?.(response);
  }

  private sendCancel(): void {
    const invite = this.current;
    if (invite === undefined || this.cancelling === 'sent') return;
    this.cancelling = 'sent';
    void this.host.stack.request(createCancel(invite), this.options.destination);
    // §9.1: without a final response within 64*T1 of the CANCEL, the INVITE counts as cancelled.
    this.cancelGuard = setTimeout(() => this.settle({ ok: false, status: 487, reason: 'Request Terminated (no final response after CANCEL)' }), 64 * this.host.timers.T1);
  }
}

/** A From value with our tag; a bare URI gets angle brackets. Throws on garbage: a programmer error. */
function withTag(identity: string, tag: string): string {
  const parsed = parseNameAddr(identity);
  if (parsed === undefined) throw new TypeError(`UserAgent.invite: from ${JSON.stringify(identity)} is not a SIP URI or name-addr`);
  return formatNameAddr({ ...parsed, params: { ...parsed.params, tag } });
}

function asNameAddr(identity: string): string {
  const parsed = parseNameAddr(identity);
  if (parsed === undefined) throw new TypeError(`UserAgent.invite: ${JSON.stringify(identity)} is not a SIP URI or name-addr`);
  return formatNameAddr(parsed);
}
