import type { Clock } from './ports.ts';
import type { ForgottenRecords, RetentionStore } from './store.ts';

/**
 * What resetd keeps, and for how long. A finished outbox item, a token that can no longer
 * be used and a requester's client IP are only evidence for the operator (what was asked,
 * when, from where); after RETENTION_DAYS they are deleted, so the database does not become
 * a long record of who asked for what. Work still to do is kept, without its client IP.
 */
const DAY_MS = 86_400_000;

/** Records from before this instant are old: `retentionDays` whole days before `now`. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

export interface RetentionDeps {
  store: Pick<RetentionStore, 'forgetOlderThan' | 'forgetExpiredCounters'>;
  clock: Clock;
  retentionDays: number;
}

/**
 * Deletes one bounded batch of old records (at most `batchSize` of each kind). `more` says
 * that a batch was full, so there is probably more to delete right away.
 */
export async function forgetOldRecords(deps: RetentionDeps, batchSize: number): Promise<ForgottenRecords & { counters: number; more: boolean }> {
  const now = deps.clock.now();
  const forgotten = await deps.store.forgetOlderThan(retentionCutoff(now, deps.retentionDays), batchSize);
  const counters = await deps.store.forgetExpiredCounters(now, batchSize);
  const more = Math.max(forgotten.outboxItems, forgotten.tokens, forgotten.clientIps, counters) >= batchSize;
  return { ...forgotten, counters, more };
}
