import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** What Node gives a route: its own request, without the web `Request` @hono/node-server builds on demand. */
export const incomingOf = (c: Context): (IncomingMessage & { readableEnded?: boolean }) | undefined => (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;

/**
 * A request header (name in lower case), read from Node's own parsed headers when Node serves the
 * request: `c.req.header()` made @hono/node-server build a web `Headers` of every header on each
 * request, a fifth of the pipeline's time (bench/api profile). Repeated headers are joined with
 * ', ' as `Headers.get` joins them. In-process requests (`app.request()`) read the web `Request`.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = incomingOf(c);
  return incoming ? incomingHeader(incoming, name) : c.req.header(name);
}

/** A header of Node's own request (name in lower case), repeated values joined with ', ' as `Headers.get` joins them. */
export function incomingHeader(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
