const MAX_REASONS = 10;
const MAX_REASON_LENGTH = 500;

/**
 * The reasons in a 422 answer, or null when they are not 1–10 non-empty strings of at most
 * 500 characters. They are shown to the person on the reset page, so a malformed or
 * oversized list is treated as a failure of the application, not passed on.
 */
export function refusalReasons(text: string): string[] | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const reasons = (value as { reasons?: unknown }).reasons;
  if (!Array.isArray(reasons) || reasons.length < 1 || reasons.length > MAX_REASONS) return null;
  const valid = reasons.every((reason) => typeof reason === 'string' && reason.trim().length > 0 && reason.length <= MAX_REASON_LENGTH);
  return valid ? (reasons as string[]) : null;
}
