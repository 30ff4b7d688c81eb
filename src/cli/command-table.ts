import { KEY_SCOPES } from '../core/api-keys.ts';
import type { CliIo, StoreUse } from './cli-support.ts';
import { auditLine } from './cli-support.ts';
import { keysCreate, keysList, keysRevoke } from './key-commands.ts';
import { mailDead, mailRetry, mailStats } from './mail-commands.ts';
import { USER_COMMANDS } from './user-commands.ts';
import { usersExport, usersImport } from './users-file-commands.ts';

/** One command of `resetd`: how it is called, what it does, and whether it may create the store. */
export interface CommandSpec {
  name: string;
  args: string;
  summary: string;
  /** More for `resetd help <command>`. */
  details?: string;
  store: StoreUse | null;
  /** Works on resetd's own users table only: refused (exit 1) where the accounts live in the application. */
  builtinOnly?: boolean;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

const withAudit = (io: CliIo) => ({ ...io, audit: (event: Parameters<typeof auditLine>[1]) => auditLine(io.err, event) });
// Loaded only to serve: the offline commands need none of the HTTP side.
const server = (role: 'serve' | 'worker') => async () => {
  await import('../main.ts').then((main) => main.runServer(role));
  return 0;
};
const users = (name: keyof typeof USER_COMMANDS) => USER_COMMANDS[name]!;

/** Every command, in the order `resetd help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  { name: 'serve', args: '', summary: 'run the HTTP server (and the mail worker, unless RESETD_WORKER=off)', store: null, run: server('serve') },
  { name: 'worker', args: '', summary: 'run only the mail worker (needs SMTP_URL)', store: null, run: server('worker') },
  {
    name: 'users add',
    builtinOnly: true,
    args: 'EMAIL [--password P] [--name N] [--locale L] [--disabled]',
    summary: 'add a user (the password must pass the reset policy and is stored as argon2id)',
    details: 'Exit 1 when a user has this email already (in any letter case); 2 when the email, name, locale or password is refused.',
    store: 'writes',
    run: users('add'),
  },
  {
    name: 'users list',
    builtinOnly: true,
    args: '[--email-prefix P] [--limit N] [--after ID] [--json]',
    summary: 'users in the order they were added, a page at a time (the last line names the next page)',
    details: '--limit is 1 to 1000 (100 by default); --json prints one JSON object per user, and {"next":…} when there is more.',
    store: 'reads',
    run: users('list'),
  },
  { name: 'users get', builtinOnly: true, args: 'USER [--json]', summary: 'one user; USER is an id or an email in any letter case', store: 'reads', run: users('get') },
  {
    name: 'users update',
    builtinOnly: true,
    args: 'USER [--email E] [--name N | --no-name] [--locale L | --no-locale] [--disable | --enable]',
    summary: 'change a user (a new email or --disable revokes their unused reset links)',
    details: 'Exit 1 when there is no such user or another user has the new email; 2 when a value is refused.',
    store: 'reads',
    run: users('update'),
  },
  {
    name: 'users set-password',
    builtinOnly: true,
    args: 'USER',
    summary: 'set a password read from stdin (the reset policy; revokes their unused reset links)',
    details: 'The password is the first line of stdin, never an argument (arguments show in ps and shell history):\n  resetd users set-password ada@example.com < password.txt',
    store: 'reads',
    run: users('set-password'),
  },
  { name: 'users delete', builtinOnly: true, args: 'USER', summary: 'delete a user, their reset links, their mail and their counters', store: 'reads', run: users('delete') },
  {
    name: 'users import',
    builtinOnly: true,
    args: 'FILE [--format csv|jsonl]',
    summary: 'add or update users from a CSV (header row) or JSON Lines file (- reads stdin)',
    details: 'Columns: email, name, locale, disabled, password_hash. Exit 1 when rows are refused (each is listed with its line), 2 when the file is refused as a whole.',
    store: 'writes',
    run: (args, io) => usersImport(args, withAudit(io)),
  },
  {
    name: 'users export',
    builtinOnly: true,
    args: '[--format csv|jsonl] [--output FILE]',
    summary: 'write every user, with their password hash, in the format import reads',
    store: 'reads',
    run: (args, io) => usersExport(args, withAudit(io)),
  },
  {
    name: 'keys create',
    args: '--dialect NAME',
    summary: `create an API key for one dialect, or for resetd's verify (${KEY_SCOPES.join(', ')}); the key is the last line`,
    store: 'writes',
    run: keysCreate,
  },
  { name: 'keys list', args: '', summary: 'every key: id, dialect, created, revoked', store: 'reads', run: keysList },
  { name: 'keys revoke', args: 'ID', summary: 'stop a key from working, at once', store: 'reads', run: keysRevoke },
  { name: 'mail stats', args: '[--json]', summary: 'queue depth, sent, retried, dead-lettered, send latency', store: 'reads', run: mailStats },
  { name: 'mail dead', args: '', summary: 'list dead-lettered mail with its last error', store: 'reads', run: mailDead },
  {
    name: 'mail retry',
    args: '(ID… | --all)',
    summary: 'put dead-lettered mail back in the queue',
    details: 'Exit 1 when an id given is not dead-lettered mail; with --all and nothing dead-lettered, it says so and exits 0.',
    store: 'reads',
    run: mailRetry,
  },
];

/** The command `argv` starts with (one word or two), and the arguments after it. */
export function findCommand(argv: readonly string[]): { command: CommandSpec; args: readonly string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command) return { command, args: argv.slice(words) };
  }
  return undefined;
}
