import { checkEmail, emailKey } from './email-address.ts';
import type { PasswordPolicy, PasswordRefusal } from './password-policy.ts';
import { checkPassword } from './password-policy.ts';
import type { Clock, PasswordHasher } from './ports.ts';
import type { UserAdminStore, UserChange, UserRecord } from './store.ts';
import { profileProblem } from './user-profile.ts';

/** The operator's management of resetd's own users (admin API and CLI), beside addUser. */

export interface UserPage {
  users: UserRecord[];
  /** The cursor of the next page, null on the last. */
  next: string | null;
}

export async function listUsers(
  deps: { store: Pick<UserAdminStore, 'listUsers'> },
  query: { after?: string | null; emailPrefix?: string | null; limit: number },
): Promise<UserPage> {
  // One more than asked tells whether there is a next page without an empty last one.
  const users = await deps.store.listUsers({
    after: query.after ?? null,
    emailKeyPrefix: query.emailPrefix ? emailKey(query.emailPrefix) : null,
    limit: query.limit + 1,
  });
  const page = users.slice(0, query.limit);
  return { users: page, next: users.length > query.limit ? page[page.length - 1]!.id : null };
}

/** A user as the operator sees it, in JSON (admin API and `resetd users … --json`): named fields only, never the hash. */
export function userView(user: UserRecord) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    locale: user.locale,
    disabled: user.disabled,
    hasPassword: user.hasPassword,
    createdAt: user.createdAt.toISOString(),
    passwordChangedAt: user.passwordChangedAt?.toISOString() ?? null,
  };
}

export interface UserChangeCommand {
  email?: string;
  /** null clears it. */
  name?: string | null;
  /** null clears it. */
  locale?: string | null;
  disabled?: boolean;
}

export type UpdateUserOutcome = { kind: 'updated'; user: UserRecord } | { kind: 'missing' } | { kind: 'exists' } | { kind: 'invalid'; field: 'email' | 'name' | 'locale'; message: string };

export async function updateUser(
  deps: { store: Pick<UserAdminStore, 'updateUser'>; clock: Clock },
  id: string,
  command: UserChangeCommand,
): Promise<UpdateUserOutcome> {
  const change: UserChange = {};
  if (command.email !== undefined) {
    const email = checkEmail(command.email);
    if (!email.ok) return { kind: 'invalid', field: 'email', message: `email is ${email.reason}` };
    change.email = { email: email.address, emailKey: email.key };
  }
  const invalid = profileProblem(command);
  if (invalid) return { kind: 'invalid', ...invalid };
  if (command.name !== undefined) change.name = command.name?.normalize('NFC') ?? null;
  if (command.locale !== undefined) change.locale = command.locale;
  if (command.disabled !== undefined) change.disabled = command.disabled;
  return deps.store.updateUser(id, change, deps.clock.now());
}

export type SetPasswordOutcome = { kind: 'done' } | { kind: 'missing' } | ({ kind: 'weak' } & PasswordRefusal);

/** The operator sets a password: the same policy as a reset; the user's unused reset links stop working. */
export async function setUserPassword(
  deps: { store: Pick<UserAdminStore, 'getUser' | 'replaceUserPassword'>; hasher: PasswordHasher; clock: Clock; passwords: PasswordPolicy },
  id: string,
  password: string,
): Promise<SetPasswordOutcome> {
  const user = await deps.store.getUser(id);
  if (!user) return { kind: 'missing' };
  const refusal = checkPassword(deps.passwords, password, user.email);
  if (refusal) return { kind: 'weak', ...refusal };
  const hash = await deps.hasher.hash(password.normalize('NFC'));
  return { kind: await deps.store.replaceUserPassword(id, hash, deps.clock.now()) };
}

/**
 * Deletes a user and what resetd keeps about them. `counterKeys` names the rate-limit
 * counters kept for an account (the limits know their own keys; the core does not).
 */
export async function deleteUser(
  deps: { store: Pick<UserAdminStore, 'deleteUser'>; counterKeys: Parameters<UserAdminStore['deleteUser']>[1] },
  id: string,
): Promise<'deleted' | 'missing'> {
  return deps.store.deleteUser(id, deps.counterKeys);
}
