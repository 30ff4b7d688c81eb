import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import type { ResetdProcess } from '../support/processes.ts';
import { startResetdProcess } from '../support/processes.ts';
import { ADMIN_TOKEN } from '../support/resetd.ts';
import { addUsers } from '../support/admin.ts';
import { postJson } from '../support/tokens.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import type { TestDatabase } from '../support/test-store.ts';
import { newTestDatabase, TEST_STORE } from '../support/test-store.ts';
import { inParallel, outboxSettledIn } from '../support/waiting.ts';
import { freePort } from '../support/ports.ts';
import { foldedByMessageId } from '../support/message-ids.ts';

/**
 * Several resetd processes on one PostgreSQL: two `serve`, two `worker`, a loopback SMTP
 * server; a worker killed mid-run; limits that hold across instances; concurrent starts.
 */
const processes: ResetdProcess[] = [];
const databases: TestDatabase[] = [];
const sinks: SmtpSink[] = [];

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill('SIGKILL')));
  await Promise.all(sinks.map((sink) => sink.close()));
  await Promise.all(databases.map((database) => database.drop()));
});

async function launch(role: 'serve' | 'worker', env: Record<string, string>) {
  const port = role === 'serve' ? await freePort() : 0;
  const started = await startResetdProcess(role, env, port);
  processes.push(started);
  return started;
}


describe.skipIf(TEST_STORE !== 'postgres')('several instances on one PostgreSQL', () => {
  it('5,000 requests over two instances, two workers, one killed: one mail per known request, none for unknown, none lost', async () => {
    const database = newTestDatabase();
    databases.push(database);
    const sink = await startSmtpSink({ delayMs: 2 });
    sinks.push(sink);
    const env = {
      DATABASE_URL: database.url,
      SMTP_URL: sink.url,
      RESETD_ADMIN_TOKEN: ADMIN_TOKEN,
      RATE_LIMIT_IP: '0',
      RATE_LIMIT_EMAIL_PER_MINUTE: '0',
      RATE_LIMIT_EMAIL_PER_HOUR: '0',
      MAIL_LEASE_MS: '2000',
      MAIL_RETRY_BASE_MS: '50',
    };
    const [a, b] = [await launch('serve', { ...env, RESETD_WORKER: 'off' }), await launch('serve', { ...env, RESETD_WORKER: 'off' })];

    const known = Array.from({ length: 2500 }, (_, i) => `member${i}@example.com`);
    await addUsers([a, b], known, 25);

    // Known and unknown addresses, interleaved, spread over both instances.
    const requests = known.flatMap((email, i) => [email, `stranger${i}@example.com`]);
    const answers = new Set<string>();
    await inParallel(requests, 40, async (email, i) => {
      const response = await postJson([a, b][i % 2]!, '/api/v1/users.forgotPassword', { email });
      answers.add(`${response.status} ${await response.text()}`);
    });
    expect([...answers]).toEqual(['200 {"success":true,"status":"success"}']);

    const workers = [await launch('worker', env), await launch('worker', env)];
    await sink.waitFor(400, 60_000);
    await workers[0]!.kill('SIGKILL');
    const [claimed] = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE state = 'sending'`);

    // Until every row is sent: what the killed worker left `sending` is taken over once its
    // lease runs out, and sent again with a new token and Message-ID; then nothing more goes out.
    await outboxSettledIn(database, 90_000);
    const distinct = () => new Set(sink.messages.map((m) => m.messageId)).size;

    const { links, requests: recipients } = foldedByMessageId(sink.messages);
    const duplicates = sink.messages.length - recipients.size;
    console.log(`multi-instance: ${requests.length} requests, ${claimed!.n} claimed when a worker was killed, ${sink.messages.length} mails, ${distinct()} distinct Message-IDs, ${duplicates} sent twice`);
    expect([...recipients.keys()].sort()).toEqual([...known].sort()); // every known address, no stranger
    for (const asked of recipients.values()) expect(asked.size).toBe(1); // one request per address, however often sent
    for (const carried of links.values()) expect(carried.size).toBe(1); // one Message-ID, one link
    const [row] = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE state IN ('pending', 'sending', 'dead')`);
    expect(row!.n).toBe(0);
  }, 240_000);

  it('a per-address limit holds across instances', async () => {
    const database = newTestDatabase();
    databases.push(database);
    const env = { DATABASE_URL: database.url, RESETD_ADMIN_TOKEN: ADMIN_TOKEN, RATE_LIMIT_IP: '4', RESETD_WORKER: 'off' };
    const [a, b] = [await launch('serve', env), await launch('serve', env)];
    const statuses: number[] = [];
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await postJson([a, b][i % 2]!, '/api/v1/users.forgotPassword', { email: `limit${i}@example.com` });
      statuses.push(response.status);
      remaining.push(response.headers.get('x-ratelimit-remaining'));
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    // Rocket.Chat's X-RateLimit-Remaining counts the shared budget, whichever instance answers.
    expect(remaining).toEqual(['3', '2', '1', '0', '0', '0']);
  }, 60_000);

  it('three instances started at once on an empty database migrate it once', async () => {
    const database = newTestDatabase();
    databases.push(database);
    const env = { DATABASE_URL: database.url, RESETD_WORKER: 'off' };
    const started = await Promise.all([launch('serve', env), launch('serve', env), launch('serve', env)]);
    for (const instance of started) expect((await fetch(`${instance.url}/healthz`)).status).toBe(200);
    const versions = await database.query<{ version: number }>('SELECT version FROM resetd_migrations ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  }, 60_000);
});
