import { isIP } from 'node:net';

/**
 * Whether the built-in PBX answers for a connection whose `settings.server` is `server`: every
 * name that is not a reachable address, i.e. neither an IP literal (v4, v6, bracketed v6) nor
 * `localhost` (DESIGN.md). So the vendor guide's `sip.your-provider.com` registers here with no
 * set-up, while `127.0.0.1` or `localhost` goes over the real network (Kamailio, the user's PBX).
 * A trailing `:port` is ignored, as is the case of the name.
 *
 * @example
 * serves('sip.your-provider.com'); // true
 * serves('127.0.0.1');             // false
 * serves('[::1]:5060');            // false
 */
export function serves(server: string): boolean {
  const host = hostOf(server.trim()).toLowerCase();
  if (host === '') return false;
  if (isIP(host) !== 0) return false;
  return host !== 'localhost' && host !== 'localhost.';
}

function hostOf(server: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(server);
  if (bracketed) return bracketed[1] ?? '';
  // More than one colon: a bare IPv6 address, which has no port part.
  if (server.indexOf(':') !== server.lastIndexOf(':')) return server;
  return server.replace(/:\d*$/, '');
}
