import { checkEmail } from './email-address.ts';
import type { PasswordPolicy, PasswordRefusal } from './password-policy.ts';
import { checkPassword } from './password-policy.ts';
import type { Clock, PasswordHasher } from './ports.ts';
import { newId } from './secrets.ts';
import { profileProblem } from './user-profile.ts';
import type { UserStore } from './store.ts';

export interface AddUserCommand {
  email: string;
  password?: string;
  name?: string;
  locale?: string;
  disabled?: boolean;
}

export type AddUserOutcome =
  | { kind: 'added'; id: string; email: string }
  | { kind: 'exists' }
  | { kind: 'invalid'; field: 'email' | 'name' | 'locale'; message: string }
  /** The password fails the same policy as a reset. */
  | ({ kind: 'weak' } & PasswordRefusal);

export interface AddUserDeps {
  store: Pick<UserStore, 'addUser'>;
  hasher: PasswordHasher;
  clock: Clock;
  passwords: PasswordPolicy;
}

/** Adds an account to resetd's directory (admin API and CLI). */
export async function addUser(deps: AddUserDeps, command: AddUserCommand): Promise<AddUserOutcome> {
  const email = checkEmail(command.email);
  if (!email.ok) {
    return { kind: 'invalid', field: 'email', message: `email is ${email.reason}` };
  }
  const profile = profileProblem(command);
  if (profile) return { kind: 'invalid', ...profile };
  const password = command.password;
  const refusal = password === undefined ? null : checkPassword(deps.passwords, password, email.address);
  if (refusal) return { kind: 'weak', ...refusal };
  const id = newId('usr');
  const result = await deps.store.addUser({
    id,
    email: email.address,
    emailKey: email.key,
    name: command.name?.normalize('NFC') ?? null,
    locale: command.locale ?? null,
    disabled: command.disabled ?? false,
    passwordHash: password === undefined ? null : await deps.hasher.hash(password.normalize('NFC')),
    createdAt: deps.clock.now(),
  });
  return result === 'added' ? { kind: 'added', id, email: email.address } : { kind: 'exists' };
}
