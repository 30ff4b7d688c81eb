/**
 * The rules of a user's name and locale, the same wherever a user comes from (admin API,
 * `resetd users add`, an import), so no way in stores what another would refuse.
 */

const LOCALE = /^[a-z]{2}(-[A-Z]{2})?$/;
const MAX_NAME = 200;
// PostgreSQL cannot store NUL; a line break or an escape would travel into mail, pages, logs.
const CONTROL = /\p{Cc}/u;

export interface ProfileProblem {
  field: 'name' | 'locale';
  message: string;
}

/** null when the name and locale given (undefined: not given) are acceptable. */
/** null clears a field (a change): nothing to check. */
export function profileProblem(profile: { name?: string | null; locale?: string | null }): ProfileProblem | null {
  const name = profile.name ?? undefined;
  const locale = profile.locale ?? undefined;
  if (name !== undefined && (name.length === 0 || name.length > MAX_NAME)) {
    return { field: 'name', message: `name must be 1 to ${MAX_NAME} characters` };
  }
  if (name !== undefined && CONTROL.test(name)) {
    return { field: 'name', message: 'name must not contain control characters' };
  }
  if (locale !== undefined && !LOCALE.test(locale)) {
    return { field: 'locale', message: 'locale must look like en or pt-BR' };
  }
  return null;
}
