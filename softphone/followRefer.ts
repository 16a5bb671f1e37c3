import type { IncomingRefer } from '../sip/index.js';
import type { CallHost, SoftphoneCall } from './SoftphoneCall.js';

/**
 * The transferee's part of a basic transfer (RFC 3515, RFC 5589 §6). The dialog has answered the
 * REFER 202 and sent `SIP/2.0 100 Trying`; here the new call to the Refer-To target goes out
 * through the same server, its final status goes back in a last NOTIFY (Subscription-State
 * terminated), and on success the original call waits for the transferor's BYE, sending its own
 * after `transferHangupAfterMs` if none came.
 */
export function followRefer(original: SoftphoneCall, refer: IncomingRefer, host: CallHost): void {
  const { logger, username, transferHangupAfterMs } = host.options;
  // Only basic transfer: a Replaces header (attended transfer, RFC 3891) in the Refer-To is not followed.
  const target = refer.referTo.split('?', 1)[0] ?? refer.referTo;
  original.emit('refer', { referTo: target });
  let call: SoftphoneCall;
  try {
    // RFC 3892: the new INVITE says who referred it.
    call = host.call(target, { ...original.setup, ...(refer.referredBy === undefined ? {} : { headers: [['Referred-By', refer.referredBy]] as Array<[string, string]> }) });
  } catch (error) {
    logger.warn(`softphone ${username}: cannot follow REFER to ${refer.referTo}: ${error instanceof Error ? error.message : String(error)}`);
    void refer.notify('SIP/2.0 400 Bad Request', { terminated: true });
    return;
  }
  logger.info(`softphone ${username}: transferring ${original.remote} to ${target} (call ${call.callId})`);
  void call.answered.then((answer) => {
    if (!answer.ok) {
      original.emit('transfer-failed', { target, status: answer.status, reason: oneLine(answer.reason) });
      void refer.notify(`SIP/2.0 ${answer.status} ${oneLine(answer.reason)}`, { terminated: true });
      return;
    }
    original.transferredTo = call;
    original.emit('transferred', call);
    void refer.notify(200, { terminated: true });
    original.schedule(transferHangupAfterMs, () => {
      logger.info(`softphone ${username}: no BYE from ${original.remote} ${transferHangupAfterMs} ms after the transfer; hanging up`);
      void original.hangup();
    });
  });
}

/** A reason phrase for a sipfrag status line: one line, printable. */
function oneLine(reason: string): string {
  return reason.replace(/[\r\n\t]+/g, ' ').trim() || 'Failed';
}
