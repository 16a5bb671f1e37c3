import { isToken } from './grammar.js';
import { SipHeaders } from './SipHeaders.js';
import type { SipRequest } from './SipMessage.js';

export interface CreateRequestInit {
  method: string;
  uri: string;
  /** header lines in order; Via, From, To, Call-ID and CSeq are the caller's to provide */
  headers?: Array<[string, string | number]>;
  body?: Buffer | string;
  /** sets Content-Type */
  contentType?: string;
}

/**
 * Builds a request. Adds `Max-Forwards: 70` when the caller gave none (RFC 3261 §8.1.1.6: a UAC
 * MUST include it). Throws on a method that is not a token or a URI with whitespace: those are
 * programmer errors.
 *
 * @example
 * createRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', headers: [['Via', via], ['From', from], ['To', to], ['Call-ID', id], ['CSeq', '1 OPTIONS']] })
 */
export function createRequest(init: CreateRequestInit): SipRequest {
  if (!isToken(init.method)) throw new TypeError(`createRequest: invalid method ${JSON.stringify(init.method)}`);
  if (init.uri === '' || /\s/.test(init.uri)) throw new TypeError(`createRequest: invalid Request-URI ${JSON.stringify(init.uri)}`);
  const headers = new SipHeaders(init.headers ?? []);
  if (!headers.has('Max-Forwards')) headers.append('Max-Forwards', 70);
  if (init.contentType !== undefined) headers.set('Content-Type', init.contentType);
  return { type: 'request', method: init.method, uri: init.uri, headers, body: toBody(init.body) };
}

export function toBody(body: Buffer | string | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}
