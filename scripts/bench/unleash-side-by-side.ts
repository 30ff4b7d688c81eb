/**
 * resetd's Unleash dialect beside the real Unleash (unleash-server from npm, installed in
 * test/unleash-server) and bare koa, loaded the same way in one run: autocannon, 10
 * connections, `POST /auth/reset/password-email` with a different address in every request,
 * once with unknown addresses and once with known ones, whose reset mail goes to a loopback
 * SMTP sink that counts it. Prints req/s, latency, non-2xx answers and mails, the ratio of
 * each to koa measured beside it (DESIGN.md's targets are such ratios) and resetd's to
 * Unleash's. Prints numbers; asserts nothing.
 *
 *   npm run bench:unleash [-- --duration 10 --unleash-duration 10 --users 300 --store postgres|sqlite]
 *
 * Needs PostgreSQL as for `npm run test:unleash` (RESETD_TEST_POSTGRES's server, default
 * postgres://postgres@127.0.0.1:5432, a user that may create databases): Unleash and resetd
 * (unless --store sqlite) each get a fresh database, dropped at the end, also after an error
 * or Ctrl-C.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { maintenance, POSTGRES, startUnleashServer, UNLEASH_START_TIMEOUT_MS, type UnleashServer } from '../../test/support/unleash-server.ts';
import { type BenchResetd, COUNTED_MAIL_BUDGETS, fromClient, startBenchResetd } from './bench-resetd.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    // The real Unleash answers its success path at a few dozen requests a second at most: a
    // shorter run of it says as much, with the same connections.
    'unleash-duration': { type: 'string' },
    users: { type: 'string', default: '300' },
    store: { type: 'string', default: 'postgres' },
  },
});
const seconds = Number(values.duration);
const unleashSeconds = Number(values['unleash-duration'] ?? seconds);
// Unleash mails one user at most once a minute (in memory, per user), so its run must not
// come back to an address: 300 users cover 30 requests a second for 10 s. More cost setup
// time: Unleash bcrypts an invitation token for every user it creates (about 5 a second here).
const users = Number(values.users);
if (!['postgres', 'sqlite'].includes(values.store) || !(seconds > 0) || !(unleashSeconds > 0) || !(users > 0)) {
  console.error('usage: npm run bench:unleash [-- --duration S --unleash-duration S --users N --store postgres|sqlite]');
  process.exit(2);
}
const CONNECTIONS = 10;
const PATH = '/auth/reset/password-email';
const known = (i: number) => `bench-user-${i}@example.com`;

// Everything started is undone in reverse order, once, whether the run ends, fails or is
// interrupted.
const cleanups: (() => unknown)[] = [];
let cleaning: Promise<void> | null = null;
const cleanUp = () =>
  (cleaning ??= (async () => {
    for (const undo of cleanups.reverse()) {
      try {
        await undo();
      } catch (error) {
        console.error(`cleaning up: ${(error as Error).message}`);
      }
    }
  })());
// `on`, not `once`: a Ctrl-C reaches this process more than once (from the terminal, and
// relayed by npm or tsx), and a second signal with no listener would kill it mid-cleanup.
// The npm script runs it with `node --import tsx` rather than the tsx command, which SIGKILLs
// a child that does not acknowledge a relayed signal within 30 ms, as a busy one may not.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (cleaning) return;
    console.error(`\n${signal}: stopping the servers and dropping the databases`);
    void cleanUp().finally(() => process.exit(130));
  });
}

interface Target {
  name: string;
  url: string;
  seconds: number;
  sink?: 'resetd' | 'unleash';
}

interface Row {
  target: string;
  kind: 'unknown' | 'known';
  result: autocannon.Result;
  mailsDuring?: number;
  mailsAfter?: number;
  /** Seconds after the run until the sink had a mail for every 2xx answer; null: not within the wait. */
  allMailsAfter?: number | null;
}

try {
  execFileSync('bash', ['scripts/install-unleash-server.sh'], { stdio: 'inherit' });
  const sink = await startSink();
  cleanups.push(() => sink.stop());
  const koa = await startKoa();
  cleanups.push(() => endChild(koa.child));

  // resetd on PostgreSQL like Unleash (or SQLite, its default store); its worker on, mailing
  // the sink. API_KEYS_REQUIRED=none because Unleash's route is public (its front end sends
  // no key); the per-account mail budgets count but are set too high to hold any mail back,
  // so that every known address is mailed, as Unleash mails each user it is not already
  // holding back.
  let databaseUrl: string;
  if (values.store === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'resetd-bench-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
  } else {
    const database = `resetd_bench_${randomBytes(6).toString('hex')}`;
    await maintenance(`CREATE DATABASE ${database}`);
    cleanups.push(() => maintenance(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    databaseUrl = new URL(`/${database}`, POSTGRES).href;
  }
  const resetdStarting = startBenchResetd({
    DATABASE_URL: databaseUrl,
    SMTP_URL: `smtp://127.0.0.1:${sink.ports.resetd}`,
    MAIL_FROM: 'resetd <no-reply@example.com>',
    RESETD_WORKER: 'on',
    API_KEYS_REQUIRED: 'none',
    ...COUNTED_MAIL_BUDGETS,
  });
  cleanups.push(async () => (await resetdStarting.catch(() => null))?.stop());
  const resetd = await resetdStarting;

  // Unleash's own mail settings (EMAIL_*); its reset route is limited per client IP to
  // PASSWORD_RESET_LIMIT_PER_MINUTE (1 by default), lifted as resetd's limits are.
  console.log('== starting Unleash on a fresh database (it migrates it first)');
  const unleashStarting = startUnleashServer({
    startTimeoutMs: UNLEASH_START_TIMEOUT_MS,
    env: {
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(sink.ports.unleash),
      EMAIL_SENDER: 'Unleash <noreply@example.com>',
      PASSWORD_RESET_LIMIT_PER_MINUTE: '1000000',
    },
  });
  // A failed start drops its database itself; a started one is stopped here.
  cleanups.push(async () => (await unleashStarting.catch(() => null))?.stop());
  const unleash = await unleashStarting;

  await createUsers(resetd, unleash);

  const version = JSON.parse(readFileSync('test/unleash-server/node_modules/unleash-server/package.json', 'utf8')).version;
  console.log(
    `\n${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores, Node ${process.version}; unleash-server ${version}; ` +
      `${users} known users in each; ${CONNECTIONS} connections, ${seconds} s a run (Unleash ${unleashSeconds} s)`,
  );
  console.log(`resetd: ${values.store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, worker on, API_KEYS_REQUIRED=none (Unleash's route is public), per-account mail budgets too high to hold mail back\n`);

  const targets: Target[] = [
    { name: 'koa', url: koa.url, seconds },
    { name: 'resetd', url: resetd.url, seconds, sink: 'resetd' },
    { name: 'Unleash', url: unleash.url, seconds: unleashSeconds, sink: 'unleash' },
  ];
  const rows: Row[] = [];
  // Unknown addresses first: a known run leaves mail still going out, which would otherwise
  // land in the next run's count. koa runs just before the others of each kind, so each ratio
  // compares runs minutes apart at most on a machine whose speed drifts.
  for (const kind of ['unknown', 'known'] as const) {
    for (const target of targets) {
      let i = 0;
      const address = kind === 'known' ? () => known(i++ % users) : () => `nobody-${i++}@example.com`;
      const before = target.sink ? (await sink.counts())[target.sink] : 0;
      process.stdout.write(`== ${target.name}, ${kind} addresses, ${target.seconds} s … `);
      const result = await autocannon({
        url: target.url,
        connections: CONNECTIONS,
        duration: target.seconds,
        requests: [
          {
            method: 'POST',
            path: PATH,
            headers: { 'content-type': 'application/json' },
            // A client address each, as behind a proxy: resetd counts it against RATE_LIMIT_IP (bench-resetd.ts); the others ignore the header.
            setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...fromClient() }, body: JSON.stringify({ email: address() }) }),
          },
        ],
      });
      console.log(`${Math.round(result.requests.average)} req/s`);
      const row: Row = { target: target.name, kind, result };
      if (target.sink) {
        const name = target.sink;
        const mails = async () => (await sink.counts())[name] - before;
        row.mailsDuring = await mails();
        await sleep(2_000);
        row.mailsAfter = await mails();
        // The next run must not share the machine with this one's mail still going out.
        if (kind === 'known') row.allMailsAfter = await settle(mails, result['2xx'], 2);
      }
      rows.push(row);
      if (target.name === 'Unleash' && kind === 'known' && result.requests.sent > users) {
        console.log(`   ${result.requests.sent} requests to ${users} users: Unleash answers 429 to a user's second request within a minute (--users)`);
      }
    }
  }
  printTable(rows);
} catch (error) {
  // After a Ctrl-C, what failed is only what the signal stopped.
  if (!cleaning) console.error(error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}

async function createUsers(resetd: BenchResetd, unleash: UnleashServer): Promise<void> {
  const emails = Array.from({ length: users }, (_, i) => known(i));
  let started = Date.now();
  await inParallel(emails, 10, async (email) => {
    await resetd.addUser(email);
  });
  console.log(`== ${users} users added to resetd in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  started = Date.now();
  await inParallel(emails, 4, async (email) => {
    // Without a password: a reset needs none, and Unleash's bcrypt would only slow the setup.
    const created = await unleash.admin('POST', '/api/admin/user-admin', { email, rootRole: 'Viewer', sendEmail: false });
    if (created.status !== 201) throw new Error(`Unleash: creating ${email} answered ${created.status} ${JSON.stringify(created.body)}`);
  });
  console.log(`== ${users} users created in Unleash through its admin API in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Waits until `mails()` reaches `expected` (then the seconds since the run, counting `already`), or stops growing for 10 s (null). */
async function settle(mails: () => Promise<number>, expected: number, already: number): Promise<number | null> {
  const start = Date.now();
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const now = await mails();
    if (now >= expected) return already + (Date.now() - start) / 1000;
    if (now !== last) [last, lastChange] = [now, Date.now()];
    if (Date.now() - lastChange > 10_000) return null;
    await sleep(100);
  }
}

function printTable(rows: Row[]): void {
  const koa = (kind: string) => rows.find((r) => r.target === 'koa' && r.kind === kind)!.result.requests.average;
  const header = ['target', 'addresses', 'req/s', 'p50 ms', 'p99 ms', '2xx', 'non-2xx', 'errors', 'mails in run', 'by +2 s', 'all by', '× koa'];
  const lines = rows.map((row) => {
    const { result } = row;
    const none = row.mailsDuring === undefined;
    return [
      row.target,
      row.kind,
      String(Math.round(result.requests.average)),
      String(result.latency.p50),
      String(result.latency.p99),
      String(result['2xx']),
      String(result.non2xx),
      String(result.errors),
      none ? '—' : String(row.mailsDuring),
      none ? '—' : String(row.mailsAfter),
      row.allMailsAfter === undefined ? '—' : row.allMailsAfter === null ? 'not all' : `+${row.allMailsAfter.toFixed(1)} s`,
      // Two significant digits: Unleash's known-address ratio is a few ten-thousandths.
      (result.requests.average / koa(row.kind)).toPrecision(2),
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c]!.length)));
  const format = (cells: string[]) => cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log(`\n${format(header)}`);
  for (const line of lines) console.log(format(line));
  const rate = (target: string, kind: string) => rows.find((r) => r.target === target && r.kind === kind)!.result.requests.average;
  console.log(
    `\nresetd / Unleash, req/s: unknown addresses ${(rate('resetd', 'unknown') / rate('Unleash', 'unknown')).toFixed(1)}×, ` +
      `known addresses ${(rate('resetd', 'known') / rate('Unleash', 'known')).toFixed(1)}×`,
  );
  console.log(
    "non-2xx: Unleash answers 404 for an unknown address (resetd answers 200 and mails no one); 'all by': seconds after the run until every 2xx answer's mail was in the sink",
  );
}

/** The counting SMTP sink (scripts/bench/counting-smtp-sink.ts) in its own process. */
async function startSink() {
  const child = fork('scripts/bench/counting-smtp-sink.ts', ['resetd', 'unleash'], { execArgv: ['--import', 'tsx'] });
  // One question at a time: each answer settles the one waiting.
  let waiting: { resolve: (message: unknown) => void; reject: (error: Error) => void } | null = null;
  child.on('message', (message) => waiting?.resolve(message));
  child.on('exit', () => waiting?.reject(new Error('the SMTP sink exited')));
  const next = () => new Promise<unknown>((resolve, reject) => (waiting = { resolve, reject }));
  const { ports } = (await next()) as { ports: { resetd: number; unleash: number } };
  return {
    ports,
    async counts() {
      const answer = next();
      child.send('count');
      return ((await answer) as { counts: { resetd: number; unleash: number } }).counts;
    },
    stop: () => endChild(child),
  };
}

/** scripts/bench/bare-koa.ts in its own process. */
async function startKoa(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/bare-koa.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const started = /\{"event":"koa\.started","port":(\d+)\}/.exec(output);
      if (started) resolve(Number(started[1]));
    });
    child.once('exit', (code) => reject(new Error(`bare koa exited (${code}) before it listened`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

async function endChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
