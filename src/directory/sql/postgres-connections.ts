import pg from 'pg';
import type { Connections } from './connections.ts';
import { bindParameters } from './named-parameters.ts';

// Directory work is light (the worker's look-ups, completed resets): a few connections do.
const POOL_SIZE = 4;

export function postgresConnections(url: string, timeoutMs: number): Connections {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: timeoutMs,
    // The server cancels a statement (and a wait for a lock) at the limit; the client gives
    // up a little later on its own, for a server or network that stopped answering.
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 500,
    application_name: 'resetd',
  });
  // A connection the server ends emits 'error' on its client; unheard, that ends the
  // process. The query in flight fails on its own and the client is thrown away.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));

  return {
    async rows(statement, values) {
      // pool.query releases a client that failed as broken.
      return (await pool.query(statement.text, bindParameters(statement, values))).rows;
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const { commit, result } = await work(async (statement, values) => {
          const outcome = await client.query(statement.text, bindParameters(statement, values));
          return outcome.rowCount ?? 0;
        });
        await client.query(commit ? 'COMMIT' : 'ROLLBACK');
        client.release();
        return result;
      } catch (error) {
        // Closing the connection rolls the transaction back, even when ROLLBACK could not be sent.
        client.release(error instanceof Error ? error : true);
        throw error;
      }
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}
