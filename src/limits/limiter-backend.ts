import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';
import type { Store } from '../core/store.ts';
import type { PostgresStore } from '../store/postgres/postgres-store.ts';

export interface LimiterOptions {
  /** Keeps this limiter's counters apart from the others'. */
  keyPrefix: string;
  points: number;
  duration: number;
}

/** Makes rate limiters whose counters live where the store does. */
export type LimiterFactory = (options: LimiterOptions) => RateLimiterAbstract;

/**
 * With PostgreSQL, counters live in its `rate_limits` table, so limits hold across every
 * instance; with SQLite (one machine, one process per role) they live in memory.
 */
export function limiterFactoryFor(store: Store): LimiterFactory {
  const postgres = (store as Partial<PostgresStore>).pool ? (store as PostgresStore) : null;
  if (!postgres) return (options) => new RateLimiterMemory(options);
  return (options) =>
    new RateLimiterPostgres({
      ...options,
      storeClient: postgres.pool,
      tableName: 'rate_limits',
      schemaName: postgres.schema,
      // The table comes with resetd's migrations.
      tableCreated: true,
      clearExpiredByTimeout: false,
    });
}
