import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterPostgres, RateLimiterSQLite } from 'rate-limiter-flexible';
import type { Store } from '../core/store.ts';
import type { PostgresStore } from '../store/postgres/postgres-store.ts';
import type { CounterRow } from '../store/counters.ts';
import type { SqliteStore } from '../store/sqlite/sqlite-store.ts';

export interface LimiterOptions {
  /** Keeps this limiter's counters apart from the others'. */
  keyPrefix: string;
  points: number;
  duration: number;
}

/** Makes rate limiters whose counters live where the store does. */
export type LimiterFactory = (options: LimiterOptions) => RateLimiterAbstract;

/**
 * Counters live in the store's `rate_limits` table (made by resetd's migrations), never in
 * memory: every process on the database shares them (instances on PostgreSQL; serve and
 * worker on one SQLite file) and a restart keeps them. Each count is one upsert that adds
 * and reads back in one statement, so parallel requests are counted exactly.
 */
export function limiterFactoryFor(store: Store): LimiterFactory {
  if ('pool' in store) {
    const postgres = store as PostgresStore;
    return (options) => new GroupCommittedPostgresLimiter(options, postgres);
  }
  if ('db' in store) {
    const sqlite = store as SqliteStore;
    return (options) => new GroupCommittedSqliteLimiter(options, sqlite);
  }
  throw new Error('rate limits need the SQLite or the PostgreSQL store');
}

/**
 * rate-limiter-flexible's SQLite limiter, its counting (`_upsert`, the store limiters'
 * extension point) handed to the store: the counts of one turn of the event loop share one
 * commit, with statements prepared once. The library's own prepares its statement and
 * commits for every count, which cost a request about 150 µs, more than the rest of the
 * request path together. Reads and deletes stay the library's.
 */
class GroupCommittedSqliteLimiter extends RateLimiterSQLite {
  readonly #store: SqliteStore;

  constructor(options: LimiterOptions, store: SqliteStore) {
    super({ ...options, storeClient: store.db, storeType: 'better-sqlite3', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false });
    this.#store = store;
  }

  _upsert(key: string, points: number, msDuration: number, forceExpire = false): Promise<CounterRow> {
    return this.#store.changeCounter({ key, points, msDuration, forceExpire, now: Date.now() });
  }
}

/** Likewise on PostgreSQL, where each count was a round trip and a commit of its own. */
class GroupCommittedPostgresLimiter extends RateLimiterPostgres {
  readonly #store: PostgresStore;

  constructor(options: LimiterOptions, store: PostgresStore) {
    super({ ...options, storeClient: store.pool, tableName: 'rate_limits', schemaName: store.schema, tableCreated: true, clearExpiredByTimeout: false });
    this.#store = store;
  }

  // RateLimiterPostgres reads the row from a query's result.
  async _upsert(key: string, points: number, msDuration: number, forceExpire = false): Promise<{ rows: CounterRow[] }> {
    return { rows: [await this.#store.changeCounter({ key, points, msDuration, forceExpire, now: Date.now() })] };
  }
}
