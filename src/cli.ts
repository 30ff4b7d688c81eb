import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from './config.ts';
import { createApiKey, isKeyScope, KEY_SCOPES, revokeApiKey } from './core/api-keys.ts';
import { listDeadMail, outboxStats, retryDeadMail } from './core/outbox.ts';
import { addUser } from './core/users.ts';
import { argon2idHasher } from './password-hasher/argon2id-hasher.ts';
import { sitePasswordPolicy } from './password-strength/site-password-policy.ts';
import { passwordProblemMessages } from './messages/password-problems.ts';
import { auditLine, clock, CommandRefused, UsageError, withStore } from './cli/cli-support.ts';
import { USER_COMMANDS } from './cli/user-commands.ts';
import { USERS_FILE_USAGE, usersExport, usersImport } from './cli/users-file-commands.ts';

const USAGE = `usage: resetd <command>

  resetd serve                          run the HTTP server (and the mail worker, unless
                                        RESETD_WORKER=off)
  resetd worker                         run only the mail worker (needs SMTP_URL)
  resetd users add EMAIL [--password P] [--name N] [--locale L] [--disabled]
                                        add a user (the password must pass the reset
                                        policy and is stored as argon2id)
  resetd users list [--email-prefix P] [--limit N] [--after ID] [--json]
                                        users in the order they were added, a page at a
                                        time (the last line names the next page's --after)
  resetd users get USER [--json]        one user; USER is an id or an email
  resetd users update USER [--email E] [--name N | --no-name] [--locale L | --no-locale]
                           [--disable | --enable]
                                        change a user (a new email or --disable revokes
                                        their unused reset links)
  resetd users set-password USER        set a password read from stdin (the reset policy;
                                        revokes their unused reset links)
  resetd users delete USER              delete a user, their reset links, mail and counters
${USERS_FILE_USAGE}
  resetd keys create --dialect NAME     create an API key for one dialect, or for resetd's
                                        verify (${KEY_SCOPES.join(', ')}); the key is the last line
  resetd keys list                      every key: id, dialect, created, revoked
  resetd keys revoke ID                 stop a key from working, at once
  resetd mail stats [--json]            queue depth, sent, retried, dead-lettered, send latency
  resetd mail dead                      list dead-lettered mail with its last error
  resetd mail retry (ID… | --all)       put dead-lettered mail back in the queue

Settings come from the environment (DATABASE_URL and the others in the README).`;


/** Runs one CLI command; returns the process exit code. Output goes through `out` and `err`. */
export async function runCli(
  argv: readonly string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
  input: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  try {
    const [command, sub, ...rest] = argv;
    if (command === 'serve' || command === 'worker') {
      await import('./main.ts').then((main) => main.runServer(command));
      return 0;
    }
    if (command === 'users' && sub === 'add') return await usersAdd(rest, out, err);
    const userCommand = command === 'users' && sub !== undefined && Object.hasOwn(USER_COMMANDS, sub) ? USER_COMMANDS[sub] : undefined;
    if (userCommand) return await userCommand(rest, { out, err, input });
    if (command === 'users' && sub === 'import') return await usersImport(rest, { out, err, withStore, audit: (event) => auditLine(err, event) });
    if (command === 'users' && sub === 'export') return await usersExport(rest, { out, err, withStore, audit: (event) => auditLine(err, event) });
    if (command === 'keys' && sub === 'create') return await keysCreate(rest, out, err);
    if (command === 'keys' && sub === 'list') return await keysList(out);
    if (command === 'keys' && sub === 'revoke') return await keysRevoke(rest, out, err);
    if (command === 'mail' && sub === 'stats') return await mailStats(rest, out);
    if (command === 'mail' && sub === 'dead') return await mailDead(out);
    if (command === 'mail' && sub === 'retry') return await mailRetry(rest, out);
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      out(USAGE);
      return 0;
    }
    throw new UsageError(`unknown command: ${argv.join(' ')}`);
  } catch (error) {
    if (error instanceof CommandRefused) {
      err(error.message);
      return 1;
    }
    if (error instanceof UsageError || error instanceof ConfigError || isParseError(error)) {
      err(error instanceof Error ? error.message : String(error));
      if (!(error instanceof ConfigError)) err(USAGE);
      return 2;
    }
    throw error;
  }
}

function isParseError(error: unknown): boolean {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}

async function usersAdd(args: readonly string[], out: (line: string) => void, err: (line: string) => void) {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { password: { type: 'string' }, name: { type: 'string' }, locale: { type: 'string' }, disabled: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError('users add takes exactly one EMAIL');
  const config = loadConfig();
  if (config.directory.kind !== 'builtin') {
    err(`users add: accounts live in the application (DIRECTORY=${config.directory.kind}); add the user there`);
    return 1;
  }
  const passwords = sitePasswordPolicy(config);
  const outcome = await withStore((store) => addUser({ store, hasher: argon2idHasher, clock, passwords }, { email: positionals[0]!, ...values }));
  switch (outcome.kind) {
    case 'added':
      out(`added ${outcome.email} as ${outcome.id}`);
      auditLine(err, { action: 'user.add', user: outcome.id });
      return 0;
    case 'exists':
      err(`a user with the email ${positionals[0]} already exists`);
      return 1;
    case 'invalid':
      err(outcome.message);
      return 2;
    case 'weak':
      err('users add: the password is refused (the same policy as a reset):');
      for (const { message } of passwordProblemMessages(outcome)) err(`  - ${message}`);
      return 2;
  }
}

async function keysCreate(args: readonly string[], out: (line: string) => void, err: (line: string) => void) {
  const { values } = parseArgs({ args: [...args], options: { dialect: { type: 'string' } } });
  if (!isKeyScope(values.dialect)) {
    throw new UsageError(`keys create needs --dialect, one of: ${KEY_SCOPES.join(', ')}`);
  }
  const dialect = values.dialect;
  const created = await withStore((store) => createApiKey({ store, clock }, dialect));
  auditLine(err, { action: 'api_key.create', keyId: created.id, dialect: created.dialect });
  out(`created ${created.id} for ${created.dialect}; keep the key, it is not shown again:`);
  out(created.key);
  return 0;
}

async function keysList(out: (line: string) => void) {
  const keys = await withStore((store) => store.listApiKeys());
  if (keys.length === 0) out('no API keys');
  for (const key of keys) {
    out(`${key.id}  ${key.dialect.padEnd(10)}  created ${key.createdAt.toISOString()}${key.revokedAt ? `  revoked ${key.revokedAt.toISOString()}` : ''}`);
  }
  return 0;
}

async function keysRevoke(args: readonly string[], out: (line: string) => void, err: (line: string) => void) {
  const { positionals } = parseArgs({ args: [...args], allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('keys revoke takes exactly one key ID (see resetd keys list)');
  const result = await withStore((store) => revokeApiKey({ store, clock }, positionals[0]!));
  if (result === 'unknown') {
    err(`no live key with the id ${positionals[0]}`);
    return 1;
  }
  auditLine(err, { action: 'api_key.revoke', keyId: positionals[0]! });
  out(`revoked ${positionals[0]}`);
  return 0;
}

async function mailStats(args: readonly string[], out: (line: string) => void) {
  const { values } = parseArgs({ args: [...args], options: { json: { type: 'boolean' } } });
  const stats = await withStore((store) => outboxStats({ store, clock }));
  if (values.json) {
    out(JSON.stringify(stats));
    return 0;
  }
  const latency = stats.sendLatencyMs;
  out(`queue depth    ${stats.queueDepth} (pending ${stats.byState.pending}, sending ${stats.byState.sending})`);
  out(`sent           ${stats.byState.sent}`);
  out(`no account     ${stats.byState.no_account}`);
  out(`retried        ${stats.retried}`);
  out(`dead-lettered  ${stats.byState.dead}`);
  out(`send latency   ${latency ? `p50 ${latency.p50} ms, p95 ${latency.p95} ms, max ${latency.max} ms over ${latency.count} mails in the last hour` : 'no mail sent in the last hour'}`);
  return 0;
}

async function mailDead(out: (line: string) => void) {
  const dead = await withStore((store) => listDeadMail({ store }));
  if (dead.length === 0) out('no dead-lettered mail');
  for (const mail of dead) {
    out(`${mail.id}  ${mail.kind}  ${mail.origin}  ${mail.createdAt.toISOString()}  ${mail.attempts} attempts  ${mail.lastError ?? ''}`);
  }
  return 0;
}

async function mailRetry(args: readonly string[], out: (line: string) => void) {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { all: { type: 'boolean' } } });
  if (values.all === (positionals.length > 0)) throw new UsageError('mail retry takes either IDs or --all');
  const count = await withStore((store) => retryDeadMail({ store, clock }, values.all ? null : positionals));
  out(`${count} dead-lettered mail${count === 1 ? '' : 's'} queued again`);
  return 0;
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
