import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Config } from './config.ts';
import { ConfigError, loadConfig } from './config.ts';
import type { CommandSpec } from './cli/command-table.ts';
import { COMMANDS, findCommand } from './cli/command-table.ts';
import { CommandRefused, storeOpener, UsageError } from './cli/cli-support.ts';

const COLUMN = 38;

function commandLine(command: CommandSpec): string {
  const call = `  resetd ${command.name}${command.args ? ` ${command.args}` : ''}`;
  return call.length < COLUMN ? `${call.padEnd(COLUMN)}${command.summary}` : `${call}\n${' '.repeat(COLUMN)}${command.summary}`;
}

const USAGE = `usage: resetd <command> [arguments]

${COMMANDS.map(commandLine).join('\n')}

  resetd help COMMAND                 more about one command (or: resetd COMMAND --help)
  resetd --version                    the version of resetd

Settings come from the environment (DATABASE_URL and the others in the README). Exit codes:
0 done, 1 the command failed or was refused, 2 the command line or a setting is wrong.`;

function commandHelp(command: CommandSpec): string {
  return [`usage: resetd ${command.name}${command.args ? ` ${command.args}` : ''}`, '', command.summary, ...(command.details ? ['', command.details] : [])].join('\n');
}

/** The version in resetd's package.json, found upwards from this file (src/ in a checkout, dist/src/ when built). */
export function version(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    const file = new URL('package.json', dir);
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (dir.pathname === '/') return 'unknown';
  }
}

/** Runs one CLI command; returns the process exit code. Output goes through `out` and `err`. */
export async function runCli(
  argv: readonly string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
  input: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  const [first] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    out(USAGE);
    return 0;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    out(`resetd ${version()}`);
    return 0;
  }
  if (first === 'help') {
    const asked = argv.slice(1);
    if (asked.length === 0) {
      out(USAGE);
      return 0;
    }
    const found = findCommand(asked);
    if (!found || found.args.length > 0) return unknownCommand(asked, err);
    out(commandHelp(found.command));
    return 0;
  }
  const found = findCommand(argv);
  if (!found) return unknownCommand(argv, err);
  const { command, args } = found;
  if (args.includes('--help') || args.includes('-h')) {
    out(commandHelp(command));
    return 0;
  }
  let settings: Config | undefined;
  const config = () => (settings ??= loadConfig());
  try {
    const kind = command.builtinOnly ? config().directory.kind : 'builtin';
    if (kind !== 'builtin') throw new CommandRefused(`resetd ${command.name}: accounts live in the application (DIRECTORY=${kind}); manage them there`);
    return await command.run(args, { out, err, input, config, withStore: storeOpener(err, command.store ?? 'reads', config) });
  } catch (error) {
    if (error instanceof CommandRefused) {
      err(error.message);
      return 1;
    }
    if (error instanceof ConfigError) {
      err(error.message);
      return 2;
    }
    if (error instanceof UsageError || isParseError(error)) {
      err(error instanceof UsageError ? error.message : `resetd ${command.name}: ${(error as Error).message}`);
      err(`usage: resetd ${command.name}${command.args ? ` ${command.args}` : ''}   (resetd help ${command.name})`);
      return 2;
    }
    throw error;
  }
}

function unknownCommand(argv: readonly string[], err: (line: string) => void): number {
  const [group] = argv;
  const near = COMMANDS.filter((c) => c.name.split(' ')[0] === group).map((c) => `resetd ${c.name}`);
  err(`unknown command: resetd ${argv.join(' ')}`);
  err(near.length > 0 ? `did you mean: ${near.join(', ')}?` : 'run resetd help for the list of commands');
  err('usage: resetd <command> [arguments]   (resetd help)');
  return 2;
}

function isParseError(error: unknown): boolean {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      if (process.argv[2] !== 'serve' && process.argv[2] !== 'worker') process.exit(code);
    },
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
