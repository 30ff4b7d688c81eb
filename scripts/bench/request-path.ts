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
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import pg from 'pg';

const seconds = Number(process.argv[2] ?? 10);
const postgres = process.argv[3];
const dir = mkdtempSync(join(tmpdir(), 'resetd-bench-'));
const database = join(dir, 'bench.db');
const schema = `resetd_bench_${process.pid}`;
const token = 'bench-admin-token-0123456789';
const port = 18000 + Math.floor(Math.random() * 1000);
// resetd runs in its own process, as in production, so the load generator does not share
// its event loop. The worker stays off: this measures the request path alone.
const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  env: {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: postgres ? `${postgres}${postgres.includes('?') ? '&' : '?'}schema=${schema}` : `sqlite:${database}`,
    RESETD_ADMIN_TOKEN: token,
    RESETD_WORKER: 'off',
    RATE_LIMIT_IP: '0',
    RATE_LIMIT_API_KEY: '0',
    SMTP_URL: 'smtp://127.0.0.1:9',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const resetd = { url: `http://127.0.0.1:${port}` };
for (let i = 0; ; i++) {
  if (await fetch(`${resetd.url}/healthz`).then((r) => r.ok, () => false)) break;
  if (i > 100) throw new Error('resetd did not start');
  await new Promise((r) => setTimeout(r, 100));
}

async function key(dialect: string): Promise<string> {
  const response = await fetch(`${resetd.url}/admin/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ dialect }),
  });
  return ((await response.json()) as { key: string }).key;
}

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
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
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
