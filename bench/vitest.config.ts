import { defineConfig } from 'vitest/config';

// The root config only collects src/, contracts/ and test/; this one runs the benchmark helpers' own tests:
//   npx vitest run --config bench/vitest.config.ts
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['bench/**/*.test.ts'],
  },
});
