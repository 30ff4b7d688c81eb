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
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === 'serve' || argv[0] === 'worker')) {
  // The server alone: none of the CLI's modules to load at start (what runCli would do next).
  const { runServer } = await import(new URL('../dist/src/main.js', import.meta.url).href);
  await runServer(argv[0]);
} else {
  const { runCli } = await import(main.href);
  process.exit(await runCli(argv));
}
