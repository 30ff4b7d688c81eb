/**
 * The whole path, side by side with bare koa in one run (DESIGN.md, "Speed"): bare koa +
 * koa-bodyparser; the same koa committing each request's outbox row through resetd's store
 * (koa-outbox-floor.ts: what durability alone costs); then resetd's request path alone
 * (worker off), then resetd as in production (its own process, worker on, mail to a
 * loopback SMTP server that counts), each loaded with the same autocannon settings: 10
 * connections, a different address per request, known and unknown addresses, every
 * dialect; then the worker alone draining a queue; then koa again. resetd's limits count
 * as in production (per client IP, each request from a client of its own through a trusted
 * proxy; per API key; per account's mail), set too high to refuse (bench-resetd.ts). Prints
 * numbers; asserts nothing.
 *
 *   npm run bench [-- --seconds 8] [-- --postgres postgres://postgres@127.0.0.1:5432/test]
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { BenchResetd } from './bench-resetd.ts';
import { COUNTED_MAIL_BUDGETS, fromClient, PRODUCTION_NODE_FLAGS, startBenchResetd } from './bench-resetd.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '8' }, postgres: { type: 'string' }, users: { type: 'string', default: '100000' } } });
const SECONDS = Number(values.seconds);
const USERS = Number(values.users);
const CONNECTIONS = 10;
const WORKER_ALONE_MAILS = 20_000;

const dir = mkdtempSync(join(tmpdir(), 'resetd-bench-'));
const children: ChildProcess[] = [];
const schema = `resetd_bench_${process.pid}`;
const databaseUrl = values.postgres ? `${values.postgres}${values.postgres.includes('?') ? '&' : '?'}schema=${schema}` : `sqlite:${join(dir, 'bench.db')}`;
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A script in a process of its own; answers its first line of output. */
async function child(script: string, env: Record<string, string> = {}): Promise<{ process: ChildProcess; line: string }> {
  const process_ = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(process_);
  const line = await new Promise<string>((resolve, reject) => {
    process_.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    process_.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { process: process_, line };
}

async function run(command: string[], env: Record<string, string>): Promise<void> {
  const process_ = spawn(process.execPath, command, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => process_.once('exit', resolve));
  if (code !== 0) throw new Error(`${command.join(' ')} exited with ${code}`);
}

const [smtpPort, countPort] = (await child('scripts/bench/smtp-counter.ts')).line.split(' ');
const delivered = async () => Number(await (await fetch(`http://127.0.0.1:${countPort}/`)).text());
const koaPort = (JSON.parse((await child('scripts/bench/bare-koa.ts')).line) as { port: number }).port;

/** Pending and sending outbox items: what the worker has yet to do. */
async function backlog(): Promise<number> {
  const sql = `SELECT count(*) AS n FROM outbox WHERE state IN ('pending', 'sending')`;
  if (values.postgres) {
    const client = new pg.Client({ connectionString: values.postgres, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      return Number((await client.query(sql)).rows[0].n);
    } finally {
      await client.end();
    }
  }
  const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : Number.NaN;
}

let sequence = 0;
/** One request per address: `known` cycles through the imported users, unknown ones are new each time. */
const address = (known: boolean) => (known ? `user${sequence++ % USERS}@example.com` : `nobody${sequence++}@example.org`);

interface Target {
  name: string;
  request(known: boolean): autocannon.Request;
}

async function load(url: string, request: () => autocannon.Request, seconds = SECONDS) {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, ...request() }) }],
  });
}

interface Row {
  what: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  mailsPerSecond?: number;
  mailedLate?: number;
  backlog?: number;
  rssMb?: number;
}
const rows: Row[] = [];
const summary = (what: string, result: autocannon.Result): Row => ({ what, rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx });

const json = { 'content-type': 'application/json' };
const koaRequest = () => ({ method: 'POST' as const, path: '/', headers: json, body: JSON.stringify({ email: address(false) }) });
rows.push(summary('bare koa (before)', await load(`http://127.0.0.1:${koaPort}`, koaRequest)));
// The same koa committing each request's outbox row first: what durability alone costs.
const floorUrl = values.postgres ? databaseUrl.replace(`schema=${schema}`, `schema=${schema}_floor`) : `sqlite:${join(dir, 'floor.db')}`;
const floor = await child('scripts/bench/koa-outbox-floor.ts', { DATABASE_URL: floorUrl });
const floorPort = (JSON.parse(floor.line) as { port: number }).port;
rows.push(summary('koa + the outbox insert', await load(`http://127.0.0.1:${floorPort}`, koaRequest)));
floor.process.kill('SIGTERM');

// Known users: an import file of USERS addresses, without passwords (resetd mails them a link).
const usersFile = join(dir, 'users.csv');
writeFileSync(usersFile, `email\n${Array.from({ length: USERS }, (_, i) => `user${i}@example.com`).join('\n')}\n`);
const env = {
  DATABASE_URL: databaseUrl,
  SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
  ...COUNTED_MAIL_BUDGETS,
  LOG_LEVEL: 'warn',
};
await run(['bin/resetd.js', 'users', 'import', usersFile], env);

// First the request path alone (worker off: requests only go into the outbox), on a store of
// its own, so the runs after it start from an empty outbox; then resetd as it runs.
const aloneUrl = values.postgres ? databaseUrl.replace(`schema=${schema}`, `schema=${schema}_alone`) : `sqlite:${join(dir, 'alone.db')}`;
let resetd: BenchResetd = await startBenchResetd({ ...env, DATABASE_URL: aloneUrl, RESETD_WORKER: 'off' });
const keysOf = async (instance: BenchResetd) => ({ maiascore: await instance.apiKey('maiascore'), unleash: await instance.apiKey('unleash'), quickblox: await instance.apiKey('quickblox') });
let keys = await keysOf(resetd);
const targets: Target[] = [
  { name: 'rocketchat', request: (k) => ({ method: 'POST', path: '/api/v1/users.forgotPassword', headers: { ...json, ...fromClient() }, body: JSON.stringify({ email: address(k) }) }) },
  { name: 'maiascore', request: (k) => ({ method: 'POST', path: '/auth/forgot-password', headers: { ...json, ...fromClient(), authorization: `Bearer ${keys.maiascore}` }, body: JSON.stringify({ id: address(k) }) }) },
  { name: 'unleash', request: (k) => ({ method: 'POST', path: '/auth/reset/password-email', headers: { ...json, ...fromClient(), authorization: keys.unleash }, body: JSON.stringify({ email: address(k) }) }) },
  { name: 'cloudreve', request: (k) => ({ method: 'POST', path: '/api/v4/user/reset', headers: { ...json, ...fromClient() }, body: JSON.stringify({ email: address(k) }) }) },
  { name: 'quickblox', request: (k) => ({ method: 'GET', path: `/users/password/reset.json?email=${encodeURIComponent(address(k))}`, headers: { ...fromClient(), 'qb-token': keys.quickblox } }) },
];

for (const target of targets) {
  rows.push({ ...summary(`${target.name}, request path alone`, await load(resetd.url, () => target.request(false))), rssMb: rssMb(resetd.pid) });
}
await resetd.stop();
resetd = await startBenchResetd(env);
keys = await keysOf(resetd);

for (const known of [false, true]) {
  for (const target of targets) {
    const before = await delivered();
    const result = await load(resetd.url, () => target.request(known));
    const during = (await delivered()) - before;
    const left = await backlog();
    const rss = rssMb(resetd.pid);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const late = (await delivered()) - before - during;
    rows.push({ ...summary(`${target.name}, ${known ? 'known' : 'unknown'}`, result), mailsPerSecond: Math.round(during / SECONDS), mailedLate: late, backlog: left, rssMb: rss });
    // The next run starts from an empty queue, so each measures its own traffic.
    for (let i = 0; i < 600 && (await backlog()) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
await resetd.stop();

// The worker alone: a queue of known addresses accepted with the worker off, then drained by `resetd worker`.
resetd = await startBenchResetd({ ...env, RESETD_WORKER: 'off' });
const queue = autocannon({ url: resetd.url, connections: CONNECTIONS, amount: WORKER_ALONE_MAILS, requests: [{ setupRequest: (req) => ({ ...req, ...targets[3]!.request(true) }) }] });
await queue;
await resetd.stop();
const queued = await backlog();
const before = await delivered();
const started = performance.now();
const worker = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, 'bin/resetd.js', 'worker'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
children.push(worker);
let workerRss = 0;
while ((await delivered()) - before < queued && performance.now() - started < 120_000) {
  workerRss = Math.max(workerRss, rssMb(worker.pid));
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const drained = (await delivered()) - before;
const workerSeconds = (performance.now() - started) / 1000;
worker.kill('SIGTERM');
rows.push({ what: `worker alone, ${queued} queued`, rps: 0, p50: 0, p99: 0, non2xx: 0, mailsPerSecond: Math.round(drained / workerSeconds), backlog: queued - drained, rssMb: workerRss });

rows.push(summary('bare koa (after)', await load(`http://127.0.0.1:${koaPort}`, koaRequest)));

const koa = (rows[0]!.rps + rows.at(-1)!.rps) / 2;
console.log(`\nresetd end to end, ${values.postgres ? 'PostgreSQL' : 'SQLite'}, ${cpus().length} cores, ${CONNECTIONS} connections, ${SECONDS} s per run, ${new Date().toISOString().slice(0, 10)}`);
console.log(`${'what'.padEnd(34)}    req/s   × koa  p50 ms  p99 ms  non-2xx  mails/s  +2 s  backlog  RSS MB`);
for (const row of rows) {
  const cells = [
    row.what.padEnd(34),
    String(row.rps || '').padStart(7),
    (row.rps ? (row.rps / koa).toFixed(2) : '').padStart(6),
    String(row.rps ? row.p50 : '').padStart(6),
    String(row.rps ? row.p99 : '').padStart(6),
    String(row.rps ? row.non2xx : '').padStart(7),
    String(row.mailsPerSecond ?? '').padStart(7),
    String(row.mailedLate ?? '').padStart(5),
    String(row.backlog ?? '').padStart(7),
    String(row.rssMb ?? '').padStart(6),
  ];
  console.log(cells.join('  '));
}
if (values.postgres) {
  const client = new pg.Client({ connectionString: values.postgres });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.query(`DROP SCHEMA IF EXISTS ${schema}_alone CASCADE`);
  await client.query(`DROP SCHEMA IF EXISTS ${schema}_floor CASCADE`);
  await client.end();
}
process.exit(0);
