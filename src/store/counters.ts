/**
 * The rate limiters' counters (`rate_limits`) as the stores change them: rate-limiter-flexible
 * keeps the limiting, and hands each store its counting (`_upsert`, limiter-backend.ts), which
 * the stores commit in groups like the outbox rows.
 */

/** A change to one counter, as rate-limiter-flexible's store limiters make them. */
export interface CounterChange {
  key: string;
  /** Added to the count (negative: given back); with `forceExpire`, the count itself. */
  points: number;
  /** The window, from `now`; 0: without one. */
  msDuration: number;
  /** Sets the count and starts a new window (rate-limiter-flexible's set and block). */
  forceExpire: boolean;
  now: number;
}

/** A counter once changed, as this change left it: what `_getRateLimiterRes` reads. */
export interface CounterRow {
  points: number;
  /** Milliseconds since the epoch (PostgreSQL's BIGINT arrives as a string); null: no window. */
  expire: number | string | null;
}

/** The counter's window end for a change that starts one. */
export const newExpire = (change: CounterChange): number | null => (change.msDuration > 0 ? change.now + change.msDuration : null);
