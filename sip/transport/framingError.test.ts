import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SipStack } from '../SipStack.js';
import { createNetworkTransport } from './createNetworkTransport.js';

describe('a TCP stream that cannot be framed', () => {
  let stack: SipStack | undefined;
  afterEach(() => stack?.close());

  it('still gets the answer to the message before the bad bytes, on the same connection, then is closed', async () => {
    stack = new SipStack({ transport: await createNetworkTransport({ port: 0, protocols: ['TCP'] }) });
    stack.onRequest(() => undefined);
    const port = stack.transport.tcpPort!;
    // An answerable but invalid request (its CSeq names another method: 400), then a message with no
    // Content-Length, which a stream cannot frame. The Via names a port nobody listens on: only the
    // flow itself can carry the answer.
    const bad =
      'OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKframe1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: framing-1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' +
      'GARBAGE sip:x SIP/2.0\r\nVia: x\r\n\r\n';
    const received = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write(bad));
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(received).toMatch(/^SIP\/2\.0 400 /);
    expect(received).toMatch(/Call-ID: framing-1/);
  });
});
