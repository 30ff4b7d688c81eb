import mysql from 'mysql2/promise';
import type { Connections } from './connections.ts';
import { bindParameters } from './named-parameters.ts';

const POOL_SIZE = 4;

/** MariaDB and MySQL through mysql2, with server-side prepared statements. */
export function mysqlConnections(url: string, timeoutMs: number): Connections {
  const pool = mysql.createPool({
    uri: url,
    connectionLimit: POOL_SIZE,
    maxIdle: POOL_SIZE,
    idleTimeout: 30_000,
    connectTimeout: timeoutMs,
    enableKeepAlive: true,
    // BIGINT ids as exact text, never rounded through a double.
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  // A pooled connection listens for 'error' only once; a second one (a write after the
  // server closed it) would end the process unheard.
  pool.pool.on('connection', (connection) => connection.on('error', () => {}));

  // mysql2's time limit answers the caller but leaves the connection mid-command, and
  // a connection that failed may be broken: either way it is closed, not pooled again.
  const withConnection = async <T>(work: (connection: mysql.PoolConnection) => Promise<T>): Promise<T> => {
    const connection = await pool.getConnection();
    try {
      const result = await work(connection);
      connection.release();
      return result;
    } catch (error) {
      connection.destroy();
      throw error;
    }
  };

  return {
    rows: (statement, values) =>
      withConnection(async (connection) => {
        const [rows] = await connection.execute({ sql: statement.text, timeout: timeoutMs }, bindParameters(statement, values));
        return rows as unknown[];
      }),
    transaction: (work) =>
      // A connection destroyed mid-transaction is rolled back by the server.
      withConnection(async (connection) => {
        await connection.query({ sql: 'START TRANSACTION', timeout: timeoutMs });
        const { commit, result } = await work(async (statement, values) => {
          const [outcome] = await connection.execute({ sql: statement.text, timeout: timeoutMs }, bindParameters(statement, values));
          // FOUND_ROWS (mysql2's default) makes affectedRows count matched rows, not only changed ones.
          return Array.isArray(outcome) ? outcome.length : outcome.affectedRows;
        });
        await connection.query({ sql: commit ? 'COMMIT' : 'ROLLBACK', timeout: timeoutMs });
        return result;
      }),
    async ping() {
      await withConnection((connection) => connection.query({ sql: 'SELECT 1', timeout: timeoutMs }));
    },
    async close() {
      await pool.end();
    },
  };
}
