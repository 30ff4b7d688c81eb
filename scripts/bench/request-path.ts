/**
 * Accepted resets per second on the request path (DESIGN.md, "Speed": target ≥ 15k/s on
 * SQLite): autocannon, 10 connections on loopback, POST with a small JSON body to each
 * dialect in turn. Prints numbers; asserts nothing.
 *
 *   npm run bench:request [-- seconds [postgres://…]]
 *
 * With a PostgreSQL URL the same runs go to a fresh schema of that database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startBenchResetd } from './bench-resetd.ts';

const seconds = Number(process.argv[2] ?? 10);
const postgres = process.argv[3];
const dir = mkdtempSync(join(tmpdir(), 'resetd-bench-'));
const database = join(dir, 'bench.db');
const schema = `resetd_bench_${process.pid}`;
// The worker stays off: this measures the request path alone.
const resetd = await startBenchResetd({
  DATABASE_URL: postgres ? `${postgres}${postgres.includes('?') ? '&' : '?'}schema=${schema}` : `sqlite:${database}`,
  RESETD_WORKER: 'off',
  SMTP_URL: 'smtp://127.0.0.1:9',
});
const key = resetd.apiKey;

const json = { 'content-type': 'application/json' };
const targets: [string, autocannon.Request][] = [
  ['rocketchat', { method: 'POST', path: '/api/v1/users.forgotPassword', headers: json, body: '{"email":"someone@example.com"}' }],
  ['maiascore', { method: 'POST', path: '/auth/forgot-password', headers: { ...json, authorization: `Bearer ${await key('maiascore')}` }, body: '{"id":"someone@example.com"}' }],
  ['unleash', { method: 'POST', path: '/auth/reset/password-email', headers: { ...json, authorization: await key('unleash') }, body: '{"email":"someone@example.com"}' }],
  ['cloudreve', { method: 'POST', path: '/api/v4/user/reset', headers: json, body: '{"email":"someone@example.com"}' }],
  ['quickblox', { method: 'GET', path: '/users/password/reset.json?email=someone%40example.com', headers: { 'qb-token': await key('quickblox') } }],
];

console.log(`resetd request path, ${postgres ? 'PostgreSQL' : 'SQLite'}, 10 connections, ${seconds}s per dialect`);
console.log('dialect      req/s    p50 ms  p99 ms  non-2xx');
for (const [name, request] of targets) {
  const result = await autocannon({ url: resetd.url, connections: 10, duration: seconds, requests: [request] });
  console.log(
    `${name.padEnd(11)} ${String(Math.round(result.requests.average)).padStart(6)}  ${String(result.latency.p50).padStart(7)} ${String(result.latency.p99).padStart(7)}  ${result.non2xx}`,
  );
}
await resetd.stop();
let count: number;
if (postgres) {
  const client = new pg.Client({ connectionString: postgres });
  await client.connect();
  count = Number((await client.query(`SELECT count(*) AS count FROM ${schema}.outbox`)).rows[0].count);
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
  await client.end();
} else {
  const db = new Database(database, { readonly: true });
  count = (db.prepare('SELECT count(*) AS count FROM outbox').get() as { count: number }).count;
  db.close();
}
console.log(`reset requests committed: ${count}`);
rmSync(dir, { recursive: true, force: true });
