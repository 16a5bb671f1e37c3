import { DigestServer, formatChallenge, parseNameAddr, type SipRequest, type SipResponse } from '../../sip/index.js';
import type { RandomBytes } from '../../random/index.js';
import type { RespondFaultAction } from '../generated/index.js';
import { pbxResponse } from './pbxResponse.js';

/**
 * The response a `respond` fault rule asks for, shaped so a client treats it like the real thing:
 * a 401 (407) carries a challenge signed with a throwaway key, so answering it can never succeed
 * while the rule lasts; a 423 carries Min-Expires; `retryAfter` becomes Retry-After.
 */
export function faultResponse(random: RandomBytes, request: SipRequest, action: RespondFaultAction, minExpires: number): SipResponse {
  const headers: Array<[string, string | number]> = [];
  const realm = parseNameAddr(request.headers.get('To') ?? '')?.uri.host || 'omnisip';
  if (action.status === 401 || action.status === 407) {
    const name = action.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    for (const challenge of new DigestServer({ realm, random }).challenge()) headers.push([name, formatChallenge(challenge)]);
  }
  if (action.status === 423) headers.push(['Min-Expires', minExpires]);
  if (action.retryAfter !== undefined) headers.push(['Retry-After', action.retryAfter]);
  // Reason-Phrase is one line (RFC 3261 §25.1).
  const reason = action.description?.replace(/[\r\n]+/g, ' ').trim() || undefined;
  return pbxResponse(random, request, action.status, reason, headers);
}
