#!/usr/bin/env node
// The `resetd` command: runs src/cli.ts through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
const argv = process.argv.slice(2);
const code = await runCli(argv);
if (argv[0] !== 'serve' && argv[0] !== 'worker') process.exit(code);
