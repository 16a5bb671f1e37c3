import type { SipHeaders } from './SipHeaders.js';

/** A SIP request (RFC 3261 §7.1). `body` is empty when there is none; Content-Length is written on serialize. */
export interface SipRequest {
  readonly type: 'request';
  method: string;
  uri: string;
  headers: SipHeaders;
  body: Buffer;
}

/** A SIP response (RFC 3261 §7.2). */
export interface SipResponse {
  readonly type: 'response';
  status: number;
  reason: string;
  headers: SipHeaders;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;
