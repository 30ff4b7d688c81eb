import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryReceiver } from '../support/directory-receiver.ts';
import { startDirectoryReceiver } from '../support/directory-receiver.ts';
import { freePort } from '../support/ports.ts';
import type { ResetdProcess } from '../support/processes.ts';
import { startResetdProcess } from '../support/processes.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import type { TestDatabase } from '../support/test-store.ts';
import { newTestDatabase } from '../support/test-store.ts';
import { postJson } from '../support/tokens.ts';
import { inParallel, until } from '../support/waiting.ts';

/**
 * SIGTERM while requests are in flight: resetd stops taking connections, answers every
 * request it already has (they wait on a slow application, for real), then exits 0. Before
 * the fix it cut every open connection: the clients got ECONNRESET for requests that may
 * well have been carried out.
 */
const SECRET = 'graceful-shutdown-directory-secret';
const IN_FLIGHT = 200;

let receiver: DirectoryReceiver;
let sink: SmtpSink;
const databases: TestDatabase[] = [];
const processes: ResetdProcess[] = [];
/** What the application holds its set-password answers on, until the test lets go. */
let release: () => void = () => {};

beforeAll(async () => {
  receiver = await startDirectoryReceiver(SECRET);
  sink = await startSmtpSink();
});
afterAll(async () => {
  release();
  await Promise.all(processes.map((p) => p.kill('SIGKILL')));
  await receiver?.close();
  await sink?.close();
  await Promise.all(databases.map((database) => database.drop()));
});

const account = (identifier: unknown) => ({ id: String(identifier), email: String(identifier) });

/** A resetd process whose accounts live in the slow application, and one reset token per address. */
async function resetdWithTokens(addresses: readonly string[], env: Record<string, string> = {}) {
  const database = newTestDatabase();
  databases.push(database);
  const resetd = await startResetdProcess(
    'serve',
    {
      DATABASE_URL: database.url,
      SMTP_URL: sink.url,
      DIRECTORY: 'http',
      DIRECTORY_URL: receiver.url,
      DIRECTORY_SECRET: SECRET,
      DIRECTORY_TIMEOUT_MS: '60000',
      RATE_LIMIT_IP: '0',
      RATE_LIMIT_EMAIL_PER_MINUTE: '0',
      RATE_LIMIT_EMAIL_PER_HOUR: '0',
      RATE_LIMIT_RESET_FAILURES: '10000',
      ...env,
    },
    await freePort(),
  );
  processes.push(resetd);
  let output = '';
  resetd.child.stdout!.on('data', (chunk) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => resetd.child.once('exit', (code) => resolve(code)));

  const mark = sink.mark();
  await inParallel(addresses, 20, async (email) => {
    const response = await postJson(resetd, '/api/v1/users.forgotPassword', { email });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });
  await until(() => mark.since().length >= addresses.length, 60_000, 50);
  const tokens = mark.since().map((mail) => /[?&]token=([\w-]+)/.exec(String(mail.text))![1]!);
  return { resetd, tokens, exit, output: () => output };
}

/** Completes a reset with each token at once; each one waits in the application until released. */
function completeAll(resetd: ResetdProcess, tokens: readonly string[]) {
  return Promise.all(
    tokens.map(async (token) => {
      try {
        const response = await postJson(resetd, '/api/reset/complete', { token, password: `${randomBytes(9).toString('base64url')} quiet harbour lantern` });
        return { status: response.status, body: await response.text(), connection: response.headers.get('connection') };
      } catch (error) {
        return { error: String((error as Error & { cause?: unknown }).cause ?? error) };
      }
    }),
  );
}

const setPasswordCalls = () => receiver.calls.filter((call) => call.payload.action === 'set-password').length;

describe('SIGTERM with requests in flight', () => {
  it(`answers all ${IN_FLIGHT} requests in flight, refuses new connections meanwhile, and exits 0`, async () => {
    const addresses = Array.from({ length: IN_FLIGHT }, (_, i) => `inflight${i}@example.com`);
    const held = new Promise<void>((resolve) => (release = resolve));
    receiver.answer = ({ payload }) => (payload.action === 'find' ? { status: 200, json: account(payload.identifier) } : { status: 204, hold: held });
    const { resetd, tokens, exit, output } = await resetdWithTokens(addresses);
    expect(tokens).toHaveLength(IN_FLIGHT);

    const before = setPasswordCalls();
    const answers = completeAll(resetd, tokens);
    // Every request is inside resetd, waiting on the application: then the signal.
    await until(() => setPasswordCalls() - before === IN_FLIGHT, 60_000, 20);
    resetd.child.kill('SIGTERM');
    await until(() => output().includes('"resetd.stopping"'), 10_000, 10);

    // Stopped taking connections while it finishes the others.
    const late = await fetch(`${resetd.url}/healthz`).then(
      (response) => `answered ${response.status}`,
      (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? String(error),
    );
    expect(late).toBe('ECONNREFUSED');
    expect(resetd.child.exitCode).toBeNull();

    release();
    const results = await answers;
    const failures = results.filter((result) => !('status' in result) || result.status !== 200);
    expect(failures, JSON.stringify(failures.slice(0, 3))).toEqual([]);
    // Each answer told its client not to reuse the connection.
    expect(new Set(results.map((result) => ('connection' in result ? result.connection : null)))).toEqual(new Set(['close']));
    expect(await exit).toBe(0);
    expect(output()).toContain('"resetd.stopped"');
    expect(output()).not.toContain('"resetd.requests_cut"');
  }, 180_000);

  it('cuts what is still open after SHUTDOWN_TIMEOUT, says how many, and exits 0', async () => {
    const addresses = Array.from({ length: 5 }, (_, i) => `stuck${i}@example.com`);
    const held = new Promise<void>((resolve) => (release = resolve));
    receiver.answer = ({ payload }) => (payload.action === 'find' ? { status: 200, json: account(payload.identifier) } : { status: 204, hold: held });
    const { resetd, tokens, exit, output } = await resetdWithTokens(addresses, { SHUTDOWN_TIMEOUT: '1' });

    const before = setPasswordCalls();
    const answers = completeAll(resetd, tokens);
    await until(() => setPasswordCalls() - before === addresses.length, 30_000, 20);
    const signalled = Date.now();
    resetd.child.kill('SIGTERM');

    expect(await exit).toBe(0);
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(5_000);
    expect((await answers).every((result) => 'error' in result)).toBe(true);
    expect(output()).toMatch(/"resetd\.requests_cut".*"requests":5/);
    release();
  }, 120_000);
});
