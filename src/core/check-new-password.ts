import type { Directory } from './directory.ts';
import type { PasswordProblem } from './password-policy.ts';
import { checkPassword } from './password-policy.ts';
import type { CommonPasswords } from './ports.ts';
import type { CoreSettings } from './settings.ts';

export type NewPasswordCheck =
  | { kind: 'ok' }
  | { kind: 'weak'; problems: PasswordProblem[]; minLength: number }
  /** resetd's policy takes it, the application's own rules do not: their words. */
  | { kind: 'refused'; reasons: string[] };

/**
 * Would a new password be accepted? For a front end that asks before it lets the person
 * submit (Unleash's reset page): resetd's policy first, then the directory's own rules
 * where it can tell them without changing anything.
 */
export async function checkNewPassword(
  deps: { directory: Pick<Directory, 'checkPassword'>; common: CommonPasswords; settings: Pick<CoreSettings, 'passwordMinLength'> },
  password: string,
): Promise<NewPasswordCheck> {
  const minLength = deps.settings.passwordMinLength;
  const problems = checkPassword(password, { minLength, email: '', common: deps.common });
  if (problems.length > 0) return { kind: 'weak', problems, minLength };
  const reasons = (await deps.directory.checkPassword?.(password.normalize('NFC'))) ?? [];
  return reasons.length > 0 ? { kind: 'refused', reasons } : { kind: 'ok' };
}
