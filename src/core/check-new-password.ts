import type { Directory } from './directory.ts';
import type { PasswordPolicy, PasswordRefusal } from './password-policy.ts';
import { checkPassword } from './password-policy.ts';

export type NewPasswordCheck =
  | { kind: 'ok' }
  /**
   * `problems`: resetd's policy; `reasons`: the application's own rules, in its words.
   * Both are given, so a front end that shows only its product's rules still shows those.
   */
  | ({ kind: 'refused'; reasons: string[] } & PasswordRefusal);

/**
 * Would a new password be accepted? For a front end that asks before it lets the person
 * submit (Unleash's reset page): resetd's policy, and the directory's own rules where it
 * can tell them without changing anything.
 */
export async function checkNewPassword(
  deps: { directory: Pick<Directory, 'checkPassword'>; passwords: PasswordPolicy },
  password: string,
): Promise<NewPasswordCheck> {
  // No token here, so no account: the address is not known yet (the completion checks it).
  const refusal = checkPassword(deps.passwords, password, '') ?? { problems: [], minLength: deps.passwords.minLength };
  const reasons = (await deps.directory.checkPassword?.(password.normalize('NFC'))) ?? [];
  return refusal.problems.length > 0 || reasons.length > 0 ? { kind: 'refused', ...refusal, reasons } : { kind: 'ok' };
}
