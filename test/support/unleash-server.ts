import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * A real unleash-server (7.5.1, installed in test/unleash-server by `npm run test:unleash`)
 * on 127.0.0.1, on a PostgreSQL database of its own. One per test file:
 *
 *   let unleash: UnleashServer;
 *   beforeAll(async () => { unleash = await startUnleashServer(); }, UNLEASH_START_TIMEOUT_MS);
 *   afterAll(() => unleash?.stop());
 *
 * PostgreSQL is RESETD_TEST_POSTGRES's server (default postgres://postgres@127.0.0.1:5432),
 * reached as a user that may create databases.
 */
export interface UnleashServer {
  /** Base URL, such as `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** An admin personal access token, the whole value of an `Authorization` header. */
  adminToken: string;
  /** The database Unleash runs on; dropped by stop(). */
  database: string;
  /** Creates a user who can log in with `password` (Unleash's password policy applies). */
  createUser(user: NewUnleashUser): Promise<UnleashUser>;
  /** `POST /auth/simple/login`; the status: 200 when the password is right, 401 when not. */
  login(usernameOrEmail: string, password: string): Promise<number>;
  /** A personal access token of the user who logs in with these (a viewer's token can search, not change passwords). */
  createToken(usernameOrEmail: string, password: string): Promise<string>;
  /** A call to Unleash's API with the admin token; the body parsed as JSON when it is JSON. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** Ends Unleash and drops its database. Safe to call twice, and after a failed start. */
  stop(): Promise<void>;
}

export interface NewUnleashUser {
  email: string;
  password: string;
  name?: string;
  /** Unleash's root role by name; Viewer by default. */
  rootRole?: 'Admin' | 'Editor' | 'Viewer';
}

export interface UnleashUser {
  id: number;
  email: string;
}

export const UNLEASH_ADMIN = { username: 'admin', password: 'unleash4all' } as const;

/** For beforeAll: a fresh database takes Unleash about 5–10 s to migrate and start; this leaves room for a slow machine. */
export const UNLEASH_START_TIMEOUT_MS = 120_000;

const SERVER_DIR = fileURLToPath(new URL('../unleash-server/', import.meta.url));
/** The PostgreSQL server the tests (and bench:unleash) use, as RESETD_TEST_POSTGRES names it. */
export const POSTGRES = new URL(process.env.RESETD_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test');

export interface UnleashServerOptions {
  startTimeoutMs?: number;
  /** More of Unleash's own environment settings, e.g. EMAIL_HOST and EMAIL_PORT for its mail. */
  env?: Record<string, string>;
}

export async function startUnleashServer(options: UnleashServerOptions = {}): Promise<UnleashServer> {
  if (!existsSync(`${SERVER_DIR}node_modules/unleash-server`)) {
    throw new Error('unleash-server is not installed in test/unleash-server: run `npm run test:unleash`, which installs it');
  }
  const database = `resetd_unleash_${randomBytes(6).toString('hex')}`;
  await maintenance(`CREATE DATABASE ${database}`);
  let child: ChildProcess | null = null;
  let stopped: Promise<void> | null = null;
  const stop = () =>
    (stopped ??= (async () => {
      if (child) await endProcess(child);
      process.off('exit', killOnExit);
      // FORCE: connections Unleash left behind (it may have been killed) must not keep the database.
      await maintenance(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    })());
  // Should the test runner exit without stop(), Unleash goes too (so does its stdin).
  const killOnExit = () => child?.kill('SIGKILL');
  process.on('exit', killOnExit);

  try {
    const started = await startProcess(database, options.startTimeoutMs ?? UNLEASH_START_TIMEOUT_MS - 10_000, options.env ?? {});
    child = started.child;
    const url = `http://127.0.0.1:${started.port}`;
    const adminToken = await createToken(url, UNLEASH_ADMIN.username, UNLEASH_ADMIN.password);
    const admin = (method: string, path: string, body?: unknown) => call(url, method, path, { authorization: adminToken }, body);
    return {
      url,
      adminToken,
      database,
      async createUser({ email, password, name, rootRole = 'Viewer' }) {
        // Created without a password, then given one as an admin does: that is where Unleash
        // applies its password policy (a password in the create call skips it).
        const created = await admin('POST', '/api/admin/user-admin', { email, name, rootRole, sendEmail: false });
        if (created.status !== 201) throw new Error(`Unleash: creating ${email} answered ${created.status} ${JSON.stringify(created.body)}`);
        const id = (created.body as { id: number }).id;
        const set = await admin('POST', `/api/admin/user-admin/${id}/change-password`, { password });
        if (set.status !== 200) throw new Error(`Unleash: setting ${email}'s password answered ${set.status} ${JSON.stringify(set.body)}`);
        return { id, email: (created.body as { email: string }).email };
      },
      login: async (usernameOrEmail, password) => (await logIn(url, usernameOrEmail, password)).status,
      createToken: (usernameOrEmail, password) => createToken(url, usernameOrEmail, password),
      admin,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs start.mjs and waits for its "started" line, which it prints once Unleash listens. */
async function startProcess(database: string, timeoutMs: number, extraEnv: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const postgres = `postgres://${POSTGRES.username || 'postgres'}${POSTGRES.password ? `:${POSTGRES.password}` : ''}@${POSTGRES.host}`;
  const child = spawn(process.execPath, ['start.mjs', '--database', database, '--postgres', postgres, '--exit-on-stdin-end'], {
    cwd: SERVER_DIR,
    // A clean environment: Unleash reads DATABASE_URL, UNLEASH_URL, NODE_ENV=test (vitest's)
    // and more from it, and resetd's tests set some of those for resetd.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...extraEnv },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Unleash did not start within ${timeoutMs} ms`)), timeoutMs);
      child.stdout!.on('data', () => {
        const line = /\{"event":"unleash\.started","port":(\d+)\}/.exec(output);
        if (line) {
          clearTimeout(timer);
          resolve(Number(line[1]));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Unleash exited (${signal ?? code}) before it started`));
      });
      child.once('error', reject);
    });
    await waitForHealth(`http://127.0.0.1:${port}`, 10_000);
    return { child, port };
  } catch (error) {
    await endProcess(child);
    throw new Error(`${(error as Error).message}\n${output}`);
  }
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).status === 200) return;
    } catch {
      // not answering yet
    }
    if (Date.now() > end) throw new Error(`Unleash at ${url} did not answer /health within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGTERM, then SIGKILL if it lingers: the test run must not hang on a stuck Unleash. */
async function endProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Runs one statement (CREATE or DROP DATABASE) on POSTGRES's server, outside any database of ours. */
export async function maintenance(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: new URL('/postgres', POSTGRES).href, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function call(url: string, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body: parsed, cookie: sessionCookie(response) };
}

function logIn(url: string, username: string, password: string) {
  return call(url, 'POST', '/auth/simple/login', {}, { username, password });
}

/** Unleash's session cookie from a login answer, ready for a Cookie header. */
function sessionCookie(response: Response): string | null {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('unleash-session='));
  return cookie ? cookie.split(';')[0]! : null;
}

async function createToken(url: string, username: string, password: string): Promise<string> {
  const session = await logIn(url, username, password);
  if (session.status !== 200 || !session.cookie) throw new Error(`Unleash: login as ${username} answered ${session.status}`);
  const expiresAt = new Date(Date.now() + 24 * 3600_000).toISOString();
  const token = await call(url, 'POST', '/api/admin/user/tokens', { cookie: session.cookie }, { description: 'resetd tests', expiresAt });
  const secret = (token.body as { secret?: unknown }).secret;
  if (token.status !== 201 || typeof secret !== 'string') throw new Error(`Unleash: creating a token answered ${token.status}`);
  return secret;
}
