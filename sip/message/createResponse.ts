import { toBody } from './createRequest.js';
import { splitOutside } from './grammar.js';
import { readNameAddrParams } from './NameAddr.js';
import { reasonPhrase } from './reasonPhrase.js';
import { SipHeaders } from './SipHeaders.js';
import type { SipRequest, SipResponse } from './SipMessage.js';

export interface CreateResponseInit {
  /** added to To when the request's To has no tag (RFC 3261 §8.2.6.2) */
  toTag?: string;
  /** further header lines, after the copied ones */
  headers?: Array<[string, string | number]>;
  body?: Buffer | string;
  contentType?: string;
}

/**
 * Builds a response to `request` (RFC 3261 §8.2.6): Via (every line, in order), From, To, Call-ID
 * and CSeq are copied; To gets `;tag=toTag` only if it has no tag yet; a 100 copies Timestamp
 * (§8.2.6.1). Throws on a status outside 100-699 (a programmer error).
 *
 * @example
 * createResponse(invite, 180, undefined, { toTag: generateTag() });
 */
export function createResponse(request: SipRequest, status: number, reason?: string, init: CreateResponseInit = {}): SipResponse {
  if (!Number.isInteger(status) || status < 100 || status > 699) throw new RangeError(`createResponse: invalid status ${status}`);
  const headers = new SipHeaders();
  // §8.2.6.2: Via MUST equal the request's Via, in order; From, Call-ID, CSeq MUST be equal.
  for (const via of request.headers.getLines('Via')) headers.append('Via', via);
  copy(request.headers, headers, 'From');
  const to = request.headers.get('To');
  if (to !== undefined) headers.append('To', init.toTag !== undefined && !hasTag(to) ? `${to};tag=${init.toTag}` : to);
  copy(request.headers, headers, 'Call-ID');
  copy(request.headers, headers, 'CSeq');
  if (status === 100) copy(request.headers, headers, 'Timestamp');
  for (const [name, value] of init.headers ?? []) headers.append(name, value);
  if (init.contentType !== undefined) headers.set('Content-Type', init.contentType);
  return { type: 'response', status, reason: reason ?? reasonPhrase(status), headers, body: toBody(init.body) };
}

function copy(from: SipHeaders, to: SipHeaders, name: string): void {
  const value = from.get(name);
  if (value !== undefined) to.append(name, value);
}

function hasTag(to: string): boolean {
  const params = readNameAddrParams(to);
  if (params !== undefined) return Object.keys(params).some((name) => name.toLowerCase() === 'tag');
  // A To the parser could not read (the request was answerable anyway): look for a tag after the URI.
  const afterUri = to.includes('>') ? to.slice(to.lastIndexOf('>') + 1) : to;
  return splitOutside(afterUri, ';').slice(1).some((p) => /^\s*tag\s*=/i.test(p));
}
