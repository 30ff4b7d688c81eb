import { execFileSync } from 'node:child_process';

/**
 * Global setup: tests that start resetd as operators do (`npm start`, `bin/resetd.js`) run
 * the compiled dist/. Building it once here, before any test, keeps that build out of each
 * test's start-up time and its timeouts (bin/resetd.js would otherwise build on first use).
 */
export default function buildDist(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'inherit' });
}
