import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'contracts/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The SIP interop tests start real peers (Kamailio, SIPp, baresip) and the two cores are shared with them.
    maxWorkers: 2,
  },
});
