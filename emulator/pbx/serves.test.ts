import { describe, expect, it } from 'vitest';
import { serves } from './serves.js';

describe('serves', () => {
  it.each(['sip.your-provider.com', 'your-provider.com', 'pbx', 'SIP.Example.ORG', 'sip.your-provider.com:5060', 'localhost.example.com'])('serves the name %j', (server) => {
    expect(serves(server)).toBe(true);
  });

  it.each(['127.0.0.1', '192.0.2.10', '127.0.0.1:5060', '::1', '[::1]', '[::1]:5062', 'fe80::1', 'localhost', 'LOCALHOST', 'localhost:5060', '', '  '])(
    'leaves the reachable address %j to the network',
    (server) => {
      expect(serves(server)).toBe(false);
    },
  );
});
