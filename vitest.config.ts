import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The README's library example imports the package by its name (test/readme.test.ts runs it as printed): here that is this checkout.
  resolve: { alias: { 'omniagent-sip-emulator': fileURLToPath(new URL('./index.ts', import.meta.url)) } },
  test: {
    // bench/ holds the benchmarks' own helpers' tests (formatting, percentiles); the benchmarks themselves run with npm run bench:*.
    // dashboard/: the browser app's pure modules (the ladder), tested in Node; the app itself is tested in Chromium (test/dashboard-*.test.ts).
    include: ['{cli,emulator,scenarios,softphone,sip,media,random,contracts,test,bench,dashboard}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The SIP interop tests start real peers (Kamailio, SIPp, baresip) and the two cores are shared with them.
    maxWorkers: 2,
  },
});
