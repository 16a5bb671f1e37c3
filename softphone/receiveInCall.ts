import { ALLOWED_METHODS, parseDtmfRelay, type Dialog, type IncomingRequest } from '../sip/index.js';
import type { CallMedia } from './CallMedia.js';

export interface InCallHandlers {
  /** The call's media; undefined when it has none (yet). */
  media(): CallMedia | undefined;
  dtmf(digit: string): void;
}

const SDP = 'application/sdp';

/**
 * The peer's requests within an answered call, other than BYE and REFER (the dialog and
 * followRefer take those): re-INVITE (hold, resume, a new media address), INFO DTMF, OPTIONS.
 */
export function receiveInCall(incoming: IncomingRequest, dialog: Dialog, handlers: InCallHandlers): void {
  const { request } = incoming;
  switch (request.method) {
    case 'INVITE': {
      const media = handlers.media();
      if (media === undefined) {
        incoming.respond(488, { reason: 'Not Acceptable Here (this call has no audio)' });
        return;
      }
      if (request.body.length === 0) {
        // RFC 3264 §5 / RFC 3261 §14.2: an INVITE without an offer gets ours in the 200; the answer comes in the ACK.
        dialog.once('ack', (ack) => {
          if (ack.body.length > 0) media.acceptAnswer(ack.body.toString('utf8'));
        });
        incoming.respond(200, { body: media.offer(), contentType: SDP });
        return;
      }
      // RFC 3264 §8: hold (sendonly, inactive, c=0.0.0.0) is answered with the matching direction.
      const answer = media.answerOffer(request.body.toString('utf8'));
      if (!answer.ok) incoming.respond(488, { reason: 'Not Acceptable Here (no common codec)' });
      else incoming.respond(200, { body: answer.value, contentType: SDP });
      return;
    }
    case 'INFO': {
      const relay = parseDtmfRelay(request);
      if (relay !== undefined) handlers.dtmf(relay.signal);
      // Legacy INFO (RFC 6086 §2) negotiates no package: other bodies are accepted and ignored, as phones do.
      incoming.respond(200);
      return;
    }
    case 'OPTIONS':
      incoming.respond(200, { headers: [['Allow', ALLOWED_METHODS], ['Accept', SDP]] });
      return;
    case 'NOTIFY':
      // RFC 6665 §4.1.3: we hold no subscription a NOTIFY could belong to (our REFERs' are the dialog's).
      incoming.respond(481, { reason: 'Subscription Does Not Exist' });
      return;
    default:
      incoming.respond(501, { reason: `Not Implemented (${request.method})`, headers: [['Allow', ALLOWED_METHODS]] });
  }
}
