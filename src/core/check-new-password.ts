import type { Directory } from './directory.ts';
import type { PasswordProblem } from './password-policy.ts';
import { checkPassword } from './password-policy.ts';
import type { CommonPasswords } from './ports.ts';
import type { CoreSettings } from './settings.ts';

export type NewPasswordCheck =
  | { kind: 'ok' }
  /**
   * `problems`: resetd's policy; `reasons`: the application's own rules, in its words.
   * Both are given, so a front end that shows only its product's rules still shows those.
   */
  | { kind: 'refused'; problems: PasswordProblem[]; minLength: number; reasons: string[] };

/**
 * Would a new password be accepted? For a front end that asks before it lets the person
 * submit (Unleash's reset page): resetd's policy, and the directory's own rules where it
 * can tell them without changing anything.
 */
export async function checkNewPassword(
  deps: { directory: Pick<Directory, 'checkPassword'>; common: CommonPasswords; settings: Pick<CoreSettings, 'passwordMinLength'> },
  password: string,
): Promise<NewPasswordCheck> {
  const minLength = deps.settings.passwordMinLength;
  const problems = checkPassword(password, { minLength, email: '', common: deps.common });
  const reasons = (await deps.directory.checkPassword?.(password.normalize('NFC'))) ?? [];
  return problems.length > 0 || reasons.length > 0 ? { kind: 'refused', problems, minLength, reasons } : { kind: 'ok' };
}
