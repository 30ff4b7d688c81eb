import { checkEmail } from './email-address.ts';
import type { PasswordPolicy, PasswordRefusal } from './password-policy.ts';
import { checkPassword } from './password-policy.ts';
import type { Clock, PasswordHasher } from './ports.ts';
import { newId } from './secrets.ts';
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
  | InvalidProfile
  /** The password fails the same policy as a reset. */
  | ({ kind: 'weak' } & PasswordRefusal);

export interface AddUserDeps {
  store: Pick<UserStore, 'addUser'>;
  hasher: PasswordHasher;
  clock: Clock;
  passwords: PasswordPolicy;
}

const LOCALE = /^[a-z]{2}(-[A-Z]{2})?$/;
const MAX_NAME = 200;
// PostgreSQL cannot store NUL; a line break or an escape would travel into mail, pages, logs.
const CONTROL = /\p{Cc}/u;

export type InvalidProfile = { kind: 'invalid'; field: 'email' | 'name' | 'locale'; message: string };

/** The rules of a name and a locale, wherever a user is added or changed; null when both are fine. */
export function checkProfile(profile: { name?: string | null; locale?: string | null }): InvalidProfile | null {
  const { name, locale } = profile;
  if (name !== undefined && name !== null && (name.length === 0 || name.length > MAX_NAME)) {
    return { kind: 'invalid', field: 'name', message: `name must be 1 to ${MAX_NAME} characters` };
  }
  if (name !== undefined && name !== null && CONTROL.test(name)) {
    return { kind: 'invalid', field: 'name', message: 'name must not contain control characters' };
  }
  if (locale !== undefined && locale !== null && !LOCALE.test(locale)) {
    return { kind: 'invalid', field: 'locale', message: 'locale must look like en or pt-BR' };
  }
  return null;
}

/** Adds an account to resetd's directory (admin API and CLI). */
export async function addUser(deps: AddUserDeps, command: AddUserCommand): Promise<AddUserOutcome> {
  const email = checkEmail(command.email);
  if (!email.ok) {
    return { kind: 'invalid', field: 'email', message: `email is ${email.reason}` };
  }
  const profile = checkProfile(command);
  if (profile) return profile;
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
