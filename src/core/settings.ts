/** The part of the configuration the core reads. */
export interface CoreSettings {
  /** Base of every link in a mail; never taken from a request. */
  publicUrl: string;
  /** Lifetime of a reset token, in seconds. */
  tokenTtlSeconds: number;
  /** Attempts at sending one mail before it is dead-lettered. */
  mailMaxAttempts: number;
  /** First retry delay in milliseconds; doubles per attempt, with jitter. */
  mailRetryBaseMs: number;
}
