// Dialogs and the INVITE user agent (RFC 3261 §12-15), CANCEL, REFER/NOTIFY (RFC 3515), INFO DTMF.
export { UserAgent, ALLOWED_METHODS, type UserAgentOptions } from './UserAgent.js';
export { Dialog, type DialogId, type DialogRequestInit, type DialogRequestResult, type DialogTermination } from './Dialog.js';
export { OutgoingInvite, type InviteOptions, type InviteResult } from './OutgoingInvite.js';
export { IncomingInvite, type AnswerInit } from './IncomingInvite.js';
export { IncomingRequest, answerUnhandled, type RespondInit } from './IncomingRequest.js';
export { OutgoingRefer, type ReferOutcome } from './OutgoingRefer.js';
export { IncomingRefer, REFER_SUBSCRIPTION_EXPIRES } from './IncomingRefer.js';
export { formatSipfrag, parseSipfrag, SIPFRAG_CONTENT_TYPE, type SipfragStatus } from './sipfrag.js';
export { dtmfRelay, parseDtmfRelay, DTMF_RELAY_CONTENT_TYPE, type DtmfRelay } from './dtmfRelay.js';
export { createInDialogRequest, createUacDialogState, createUasDialogState, nextHop, type DialogState, type InDialogRequestInit } from './DialogState.js';
export { MINIMUM_SESSION_INTERVAL, parseSessionExpires, retryWithMinSE, SessionRefresher } from './sessionTimer.js';
export { optionTags, parseRAck, RELIABLE_PROVISIONALS } from './reliableProvisional.js';
