#!/usr/bin/env node
// The `resetd` command (and `npm start`): runs the compiled dist/ with plain node. In a
// checkout it first builds dist/ when it is missing or older than src/; a deployment that
// carries only dist/ (no scripts/build.mjs) runs it as it is.
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli.js', import.meta.url);
if (existsSync(new URL('../scripts/build.mjs', import.meta.url))) {
  const { buildIfStale } = await import('../scripts/build.mjs');
  try {
    await buildIfStale();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
} else if (!existsSync(main)) {
  console.error('resetd: dist/ is missing: build it with `npm ci && npm run build` and deploy it with bin/');
  process.exit(1);
}
const { runCli } = await import(main.href);
const argv = process.argv.slice(2);
const code = await runCli(argv);
if (argv[0] !== 'serve' && argv[0] !== 'worker') process.exit(code);
