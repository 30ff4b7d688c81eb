import { defineConfig } from 'vitest/config';

// The unleash directory against a real unleash-server (npm run test:unleash). Apart from the
// main suite, so that suite never needs Unleash installed.
export default defineConfig({
  test: {
    include: ['test/unleash/**/*.test.ts'],
    // Every response from a resetd a test started is checked against generated/openapi.yaml.
    setupFiles: ['test/support/check-every-response.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
