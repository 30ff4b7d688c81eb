import { parseArgs } from 'node:util';
import { emailKey } from '../core/email-address.ts';
import { deleteUser, listUsers, setUserPassword, updateUser, userView } from '../core/manage-users.ts';
import type { UserChangeCommand } from '../core/manage-users.ts';
import type { Store, UserRecord } from '../core/store.ts';
import { accountCounterKeys } from '../limits/account-counters.ts';
import { passwordProblemMessages } from '../messages/password-problems.ts';
import { argon2idHasher } from '../password-hasher/argon2id-hasher.ts';
import { sitePasswordPolicy } from '../password-strength/site-password-policy.ts';
import type { CliIo } from './cli-support.ts';
import { auditLine, clock, UsageError } from './cli-support.ts';
import { addUser } from '../core/users.ts';

/** `resetd users list|get|update|set-password|delete`: the admin API's user management, from a shell. */

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

/** Exit codes: 0 done, 1 no such user (or another has the email), 2 refused input. */
export const USER_COMMANDS: Record<string, Command> = {
  async add(args, { out, err, config, withStore }) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { password: { type: 'string' }, name: { type: 'string' }, locale: { type: 'string' }, disabled: { type: 'boolean' } },
    });
    if (positionals.length !== 1) throw new UsageError('users add takes exactly one EMAIL');
    const passwords = sitePasswordPolicy(config());
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
  },

  async list(args, { out, withStore }) {
    const { values } = parseArgs({
      args: [...args],
      options: { 'email-prefix': { type: 'string' }, limit: { type: 'string' }, after: { type: 'string' }, json: { type: 'boolean' } },
    });
    const limit = values.limit === undefined ? 100 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('users list: --limit is 1 to 1000');
    const page = await withStore((store) => listUsers({ store }, { after: values.after ?? null, emailPrefix: values['email-prefix'] ?? null, limit }));
    if (values.json) {
      for (const user of page.users) out(JSON.stringify(userView(user)));
    } else {
      if (page.users.length === 0) out('no users');
      for (const user of page.users) out(userLine(user));
    }
    if (page.next) out(values.json ? JSON.stringify({ next: page.next }) : `more: resetd users list --after ${page.next}${values['email-prefix'] ? ` --email-prefix ${values['email-prefix']}` : ''}`);
    return 0;
  },

  async get(args, { out, err, withStore }) {
    const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean' } } });
    const who = oneUser('get', positionals);
    const user = await withStore((store) => findUser(store, who));
    if (!user) return noSuchUser(err, who);
    out(values.json ? JSON.stringify(userView(user)) : userLine(user));
    return 0;
  },

  async update(args, { out, err, withStore }) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        'no-name': { type: 'boolean' },
        locale: { type: 'string' },
        'no-locale': { type: 'boolean' },
        disable: { type: 'boolean' },
        enable: { type: 'boolean' },
      },
    });
    const who = oneUser('update', positionals);
    const conflicts = [['name', 'no-name'], ['locale', 'no-locale'], ['disable', 'enable']] as const;
    for (const [a, b] of conflicts) if (values[a] !== undefined && values[b]) throw new UsageError(`users update: --${a} and --${b} exclude each other`);
    const change: UserChangeCommand = {};
    if (values.email !== undefined) change.email = values.email;
    if (values.name !== undefined || values['no-name']) change.name = values.name ?? null;
    if (values.locale !== undefined || values['no-locale']) change.locale = values.locale ?? null;
    if (values.disable || values.enable) change.disabled = Boolean(values.disable);
    if (Object.keys(change).length === 0) throw new UsageError('users update: nothing to change');
    const outcome = await withStore(async (store) => {
      const user = await findUser(store, who);
      return user ? updateUser({ store, clock }, user.id, change) : ({ kind: 'missing' } as const);
    });
    switch (outcome.kind) {
      case 'updated':
        auditLine(err, { action: 'user.update', user: outcome.user.id, fields: Object.keys(change).sort() });
        out(userLine(outcome.user));
        return 0;
      case 'missing':
        return noSuchUser(err, who);
      case 'exists':
        err(`users update: another user has the email ${change.email}`);
        return 1;
      case 'invalid':
        err(`users update: ${outcome.message}`);
        return 2;
    }
  },

  async 'set-password'(args, { out, err, input, config, withStore }) {
    const { positionals } = parseArgs({ args: [...args], allowPositionals: true });
    const who = oneUser('set-password', positionals);
    // From stdin, never an argument: arguments are visible to every user of the machine (ps) and kept in shell history.
    const password = await readPassword(input);
    if (password === '') throw new UsageError('users set-password: give the password on stdin (one line)');
    const passwords = sitePasswordPolicy(config());
    const outcome = await withStore(async (store) => {
      const user = await findUser(store, who);
      return user ? { id: user.id, ...(await setUserPassword({ store, hasher: argon2idHasher, clock, passwords }, user.id, password)) } : ({ kind: 'missing' } as const);
    });
    switch (outcome.kind) {
      case 'done':
        auditLine(err, { action: 'user.set_password', user: outcome.id });
        out(`password set for ${who}; their unused reset links no longer work`);
        return 0;
      case 'missing':
        return noSuchUser(err, who);
      case 'weak':
        err('users set-password: the password is refused (the same policy as a reset):');
        for (const { message } of passwordProblemMessages(outcome)) err(`  - ${message}`);
        return 2;
    }
  },

  async delete(args, { out, err, withStore }) {
    const { positionals } = parseArgs({ args: [...args], allowPositionals: true });
    const who = oneUser('delete', positionals);
    const deleted = await withStore(async (store) => {
      const user = await findUser(store, who);
      return user && (await deleteUser({ store, counterKeys: accountCounterKeys }, user.id)) === 'deleted' ? user.id : null;
    });
    if (!deleted) return noSuchUser(err, who);
    auditLine(err, { action: 'user.delete', user: deleted });
    out(`deleted ${who} (${deleted}), their reset links, mail and counters`);
    return 0;
  },
};

function oneUser(command: string, positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`users ${command} takes exactly one USER (an id or an email)`);
  return positionals[0]!;
}

/** USER is an id, or an email in any letter case. */
async function findUser(store: Store, who: string): Promise<UserRecord | undefined> {
  if (!who.includes('@')) return store.getUser(who);
  const account = await store.findUserByEmailKey(emailKey(who));
  return account && store.getUser(account.id);
}

function noSuchUser(err: (line: string) => void, who: string): number {
  err(`no user ${who}`);
  return 1;
}

function userLine(user: UserRecord): string {
  const flags = [user.disabled ? 'disabled' : 'enabled', user.hasPassword ? 'password' : 'no password', user.locale ?? '-'];
  return `${user.id}  ${user.email}  ${JSON.stringify(user.name ?? '')}  ${flags.join(', ')}  added ${user.createdAt.toISOString()}`;
}

/** The first line of stdin (a pipe, a here-string, or typed at a terminal), without its line break. */
async function readPassword(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += String(chunk);
    if (text.includes('\n') || text.length > 4096) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}
