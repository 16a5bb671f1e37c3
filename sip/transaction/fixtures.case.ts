// Test support shared by the transaction and stack tests (excluded from the build like *.test.ts).
import { createRequest, generateBranch, generateCallId, generateTag, type SipRequest } from '../message/index.js';

let sequence = 0;

/** A request as a UA would build it before the stack adds its Via; pass `via` to stand in for a peer's. */
export function makeRequest(method: string, options: { via?: string; uri?: string; callId?: string; cseq?: number } = {}): SipRequest {
  const headers: Array<[string, string]> = [];
  if (options.via !== undefined) headers.push(['Via', options.via]);
  headers.push(
    ['From', `<sip:alice@127.0.0.1>;tag=${generateTag()}`],
    ['To', '<sip:bob@127.0.0.1>'],
    ['Call-ID', options.callId ?? generateCallId()],
    ['CSeq', `${options.cseq ?? ++sequence} ${method}`],
    ['Contact', '<sip:alice@127.0.0.1:5070>'],
  );
  return createRequest({ method, uri: options.uri ?? 'sip:bob@127.0.0.1', headers });
}

/** A request with a peer's Via already on top, as a server transaction receives it. */
export function makeInbound(method: string, sentBy = '127.0.0.1:5070', transport = 'UDP'): SipRequest {
  return makeRequest(method, { via: `SIP/2.0/${transport} ${sentBy};branch=${generateBranch()}` });
}
