import type { Origin } from './outbox-item.ts';

/** The part of the configuration the core reads. */
export interface CoreSettings {
  /** Base of every link in a mail; never taken from a request. */
  publicUrl: string;
  /** Per origin, the path of the reset page on the public URL, with `{token}` (and optionally `{user}`). */
  resetPaths: Record<Origin, string>;
  /** Lifetime of a reset token, in seconds. */
  tokenTtlSeconds: number;
  /** Attempts at one delivery before it is dead-lettered. */
  mailMaxAttempts: number;
  /** First retry delay in milliseconds; doubles per attempt, with jitter. */
  mailRetryBaseMs: number;
  /** Queue a signed webhook after each completed reset. */
  webhook: boolean;
}

export const DEFAULT_RESET_PATH = '/reset?token={token}';
