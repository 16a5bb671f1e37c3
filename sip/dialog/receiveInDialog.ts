import { parseCSeq, type SipRequest } from '../message/index.js';
import type { RequestContext } from '../SipStack.js';
import type { ServerTransaction } from '../transaction/index.js';
import type { Dialog } from './Dialog.js';
import { answerUnhandled, IncomingRequest } from './IncomingRequest.js';
import { IncomingRefer, referTarget } from './IncomingRefer.js';

/**
 * The UAS side of a request within a dialog (RFC 3261 §12.2.2): checks the CSeq order, then BYE
 * ends the dialog, a NOTIFY for one of our REFERs goes to it, a REFER goes to `onRefer`, and the
 * rest to `onRequest` (or a default answer).
 */
export function receiveInDialog(dialog: Dialog, request: SipRequest, tx: ServerTransaction, context: RequestContext): void {
  const { host, dialogState: state } = dialog;
  const incoming = new IncomingRequest(request, tx, context, { toTag: state.localTag, contact: host.contact });
  if (request.method === 'CANCEL') {
    // The stack matched no INVITE transaction for it (§9.2).
    incoming.respond(481, { reason: 'Call/Transaction Does Not Exist' });
    return;
  }
  const seq = parseCSeq(request.headers.get('CSeq') ?? '')?.seq ?? 0;
  // §12.2.2: a request with a CSeq lower than the last one is out of order and MUST get a 500.
  if (state.remoteSeq !== undefined && seq < state.remoteSeq) {
    incoming.respond(500, { reason: 'Server Internal Error (CSeq out of order)' });
    return;
  }
  state.remoteSeq = seq;

  switch (request.method) {
    case 'BYE':
      // §15.1.2: answer 200 and end the dialog (the ACK wait stops: the BYE may have overtaken it).
      incoming.respond(200);
      dialog.terminate({ by: 'remote', cause: 'bye', request });
      return;
    case 'INVITE':
      return receiveReinvite(dialog, incoming);
    case 'REFER':
      if (dialog.referHandler !== undefined) return receiveRefer(dialog, incoming, seq, dialog.referHandler);
      break;
    case 'NOTIFY': {
      const event = parseEvent(request.headers.get('Event'));
      const refer = event?.package === 'refer' ? dialog.refers.find((r) => r.matches(event.id)) : undefined;
      if (refer !== undefined) return refer.receiveNotify(incoming);
      break;
    }
  }
  hand(dialog, incoming);
}

/** §14.2: a re-INVITE; the application does the offer/answer, the dialog the glare rules and the 2xx retransmission. */
function receiveReinvite(dialog: Dialog, incoming: IncomingRequest): void {
  if (dialog.inviteInProgress === 'outgoing') {
    // §14.2: our own INVITE is pending on this dialog: glare.
    incoming.respond(491);
    return;
  }
  if (dialog.inviteInProgress === 'incoming') {
    // §14.2: a second INVITE before we answered the first MUST get 500 with a random Retry-After of 0-10 s.
    incoming.respond(500, { reason: 'Server Internal Error (INVITE pending)', headers: [['Retry-After', dialog.host.stack.random(1)[0]! % 11]] });
    return;
  }
  dialog.inviteInProgress = 'incoming';
  const guarded = new IncomingRequest(incoming.request, incoming.tx, incoming.context, {
    toTag: dialog.dialogState.localTag,
    contact: dialog.host.contact,
    onResponse: (response) => {
      if (response.status < 200) return;
      dialog.inviteInProgress = undefined;
      if (response.status >= 300) return;
      // §12.2.2: a target refresh replaces the remote target with the request's Contact.
      dialog.refreshTarget(incoming.request);
      // onResponse runs before the 2xx goes out, so even an instant ACK finds its wait.
      dialog.expectAck(response, incoming.tx, incoming.context);
    },
  });
  hand(dialog, guarded);
}

/** RFC 3515 §2.4.1-2.4.4: exactly one Refer-To; accept with 202, then the implicit subscription's first NOTIFY. */
function receiveRefer(dialog: Dialog, incoming: IncomingRequest, seq: number, handler: (refer: IncomingRefer) => void): void {
  const values = incoming.request.headers.getAll('Refer-To');
  const target = values.length === 1 && values[0] !== undefined ? referTarget(values[0]) : undefined;
  if (target === undefined) {
    incoming.respond(400, { reason: values.length === 1 ? 'Bad Request (unreadable Refer-To)' : 'Bad Request (a REFER needs exactly one Refer-To)' });
    return;
  }
  incoming.respond(202);
  const refer = new IncomingRefer(incoming.request, target, seq, (init) => dialog.request('NOTIFY', init));
  void refer.notify(100);
  invoke(dialog, incoming, () => handler(refer));
}

function hand(dialog: Dialog, incoming: IncomingRequest): void {
  const handler = dialog.requestHandler;
  if (handler === undefined) return answerUnhandled(incoming, dialog.host.allow);
  invoke(dialog, incoming, () => handler(incoming));
}

/** A throwing handler must still leave the peer with an answer. */
function invoke(dialog: Dialog, incoming: IncomingRequest, call: () => void): void {
  try {
    call();
  } catch (error) {
    dialog.host.warn(`Dialog ${dialog.id.callId}: the ${incoming.method} handler threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    incoming.respond(500, { reason: 'Server Internal Error (handler failed)' });
  }
}

/** An Event header (RFC 6665 §8.2.1): the package and its `id` parameter. */
function parseEvent(value: string | undefined): { package: string; id: string | undefined } | undefined {
  if (value === undefined) return undefined;
  const [name = '', ...params] = value.split(';').map((part) => part.trim());
  const id = params.map((p) => /^id\s*=\s*(.+)$/i.exec(p)?.[1]).find((v) => v !== undefined);
  return { package: name.toLowerCase(), id };
}
