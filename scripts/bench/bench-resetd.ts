import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../../test/support/ports.ts';

/**
 * resetd in a process of its own, as in production, so the load generator does not share
 * its event loop. Its limits count as in production but are set too high to refuse a
 * benchmark (one load generator, one API key): 1,000,000 a minute per client IP and per
 * key. Requests come as through a proxy (TRUSTED_PROXIES=127.0.0.1) with a client address
 * each (`fromClient`), so the per-IP counts write a row per client, as behind a real proxy.
 */
export interface BenchResetd {
  url: string;
  /** The process, for its memory. */
  pid: number | undefined;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  addUser(email: string): Promise<void>;
  apiKey(dialect: string): Promise<string>;
  stop(): Promise<void>;
}

const ADMIN = 'bench-admin-token-0123456789';

/** The flags node runs resetd with in production, read from `npm start` (the image and the systemd unit pass the same). */
export const PRODUCTION_NODE_FLAGS: string[] =
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start.split(' ').filter((word) => word.startsWith('--'));

/**
 * Per-account mail budgets that count each mail (two counts a mail, as in production) but
 * are too high to hold back a benchmark's repeated addresses. Not in startBenchResetd's
 * defaults: bench:timing keeps the production budgets.
 */
export const COUNTED_MAIL_BUDGETS = { RATE_LIMIT_EMAIL_PER_MINUTE: '1000', RATE_LIMIT_EMAIL_PER_HOUR: '10000' };

let clients = 0;
/** The header a proxy adds, with the next of 2^24 client addresses. */
export function fromClient(): { 'x-forwarded-for': string } {
  const n = clients++ % 0x1000000;
  return { 'x-forwarded-for': `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}` };
}

export async function startBenchResetd(env: Record<string, string>): Promise<BenchResetd> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The compiled build, as npm start runs it (built first when stale).
  const server = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, 'bin/resetd.js', 'serve'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', RESETD_ADMIN_TOKEN: ADMIN, RATE_LIMIT_IP: '1000000', RATE_LIMIT_API_KEY: '1000000', TRUSTED_PROXIES: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; !(await fetch(`${url}/healthz`).then((r) => r.ok, () => false)); i++) {
    // Never measure another process that answers on the port.
    if (server.exitCode !== null) throw new Error(`resetd exited (${server.exitCode}) before it answered`);
    // 30 s: a stale dist/ is compiled first.
    if (i > 300) throw new Error('resetd did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const admin = { authorization: `Bearer ${ADMIN}` };
  return {
    url,
    pid: server.pid,
    post,
    async addUser(email) {
      const response = await post('/admin/users', { email }, admin);
      if (!response.ok) throw new Error(`resetd: adding ${email} answered ${response.status}`);
    },
    async apiKey(dialect) {
      return ((await (await post('/admin/api-keys', { dialect }, admin)).json()) as { key: string }).key;
    },
    async stop() {
      // Already gone (a Ctrl-C reaches the whole process group): no exit event is coming.
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    },
  };
}
