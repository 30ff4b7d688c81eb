import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Needs a real Unleash installed: npm run test:unleash runs it.
    exclude: [...configDefaults.exclude, 'test/unleash/**'],
    // Every response from a resetd a test started is checked against generated/openapi.yaml.
    setupFiles: ['test/support/check-every-response.ts'],
    globalSetup: ['test/support/build-dist.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
