import type { SipMessage } from './SipMessage.js';

/**
 * Writes a message in wire form: canonical header names, CRLF line ends, and a Content-Length
 * computed from the body (RFC 3261 §18.3: it MUST be present over stream transports, and a
 * stale value would corrupt framing), in place of any existing one or else at the end.
 */
export function serializeMessage(message: SipMessage): Buffer {
  const startLine =
    message.type === 'request'
      ? `${message.method} ${message.uri} SIP/2.0`
      : `SIP/2.0 ${message.status} ${message.reason}`;
  const headers = message.headers.clone();
  headers.set('Content-Length', message.body.length);
  let head = `${startLine}\r\n`;
  for (const [name, value] of headers.entries()) head += `${name}: ${value}\r\n`;
  head += '\r\n';
  return message.body.length === 0 ? Buffer.from(head, 'utf8') : Buffer.concat([Buffer.from(head, 'utf8'), message.body]);
}
