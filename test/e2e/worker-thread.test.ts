import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../support/admin.ts';
import type { ResetdProcess } from '../support/processes.ts';
import { startResetdProcess } from '../support/processes.ts';
import { parseScrape } from '../support/prometheus.ts';
import type { TestResetd } from '../support/resetd.ts';
import { ADMIN_TOKEN, startTestResetd } from '../support/resetd.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import type { TestDatabase } from '../support/test-store.ts';
import { newTestDatabase } from '../support/test-store.ts';
import { postJson, requestMail } from '../support/tokens.ts';
import { outboxSettled, until } from '../support/waiting.ts';

/**
 * `resetd serve` sends its mail from a thread of its own when mail goes out by SMTP, so the
 * answers keep an event loop to themselves. Nothing an operator sees changes: the mail
 * arrives, /metrics counts the deliveries, and a stop waits for the mail in hand.
 */
const TOKEN = 'metrics-test-token-0123';
const rc = '/api/v1/users.forgotPassword';
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink?.close());

describe('the worker in a thread of the serving process', () => {
  let resetd: TestResetd;
  beforeAll(async () => {
    resetd = await startTestResetd({ SMTP_URL: sink.url, METRICS_TOKEN: TOKEN, LOG_LEVEL: 'silent' }, { workerThread: true });
  });
  afterAll(() => resetd?.dispose());

  it('mails the reset link for a known address, and records the request sent', async () => {
    await addUser(resetd, 'thread-known@example.com');
    const mail = sink.mark().next(10_000);
    expect((await postJson(resetd, rc, { email: 'thread-known@example.com' })).status).toBe(200);
    expect((await mail).text).toMatch(/https:\/\/reset\.example\.test\/\S*token=/);
    await outboxSettled(resetd);
    expect((await resetd.store.outboxCounts(new Date())).byState).toMatchObject({ sent: 1, pending: 0, sending: 0 });
  });

  it("counts the thread's deliveries and directory lookups in the serving process's /metrics", async () => {
    expect((await postJson(resetd, rc, { email: 'thread-nobody@example.com' })).status).toBe(200);
    await outboxSettled(resetd);
    const scrape = async () => parseScrape(await (await fetch(`${resetd.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text());
    // Counts cross from the thread in batches, a few milliseconds after the delivery.
    await until(async () => (await scrape()).value('resetd_outbox_deliveries_total', { kind: 'reset', outcome: 'no_account' }) === 1);
    const metrics = await scrape();
    expect(metrics.value('resetd_outbox_deliveries_total', { kind: 'reset', outcome: 'sent' })).toBe(1);
    expect(metrics.value('resetd_outbox_delivery_duration_seconds_count', { kind: 'reset' })).toBe(2);
    expect(metrics.value('resetd_outbox_accepted_to_sent_seconds_count', { kind: 'reset' })).toBe(1);
    expect(metrics.value('resetd_directory_calls_total', { directory: 'builtin', call: 'find', result: 'found' })).toBe(1);
    expect(metrics.value('resetd_directory_calls_total', { directory: 'builtin', call: 'find', result: 'none' })).toBe(1);
    // The serving thread still answers for itself: its requests and the outbox it watches.
    expect(metrics.value('resetd_http_requests_total', { operation: 'rocketchatForgotPassword', dialect: 'rocketchat', status: '200' })).toBe(2);
  });
});

it('with the dev mailbox (no SMTP_URL) the worker stays in the serving thread, where the mailbox is', async () => {
  const resetd = await startTestResetd({}, { workerThread: true });
  try {
    await addUser(resetd, 'mailbox@example.com');
    expect((await requestMail(resetd, 'mailbox@example.com')).to).toBe('mailbox@example.com');
  } finally {
    await resetd.dispose();
  }
});

describe('resetd serve as operators run it', () => {
  let database: TestDatabase;
  let server: ResetdProcess | undefined;
  beforeAll(() => {
    database = newTestDatabase();
  });
  afterAll(async () => {
    await server?.kill('SIGKILL');
    await database?.drop();
  });

  it('delivers from the worker thread (its log lines say so), and SIGTERM ends both threads with exit 0', async () => {
    const port = 20000 + Math.floor(Math.random() * 10000);
    server = await startResetdProcess('serve', { DATABASE_URL: database.url, SMTP_URL: sink.url, RESETD_ADMIN_TOKEN: ADMIN_TOKEN, RATE_LIMIT_IP: '0', LOG_FORMAT: 'json' }, port);
    await addUser(server, 'process@example.com');
    const mail = sink.mark().next(10_000);
    expect((await postJson(server, rc, { email: 'process@example.com' })).status).toBe(200);
    await mail;
    const lines = () => server!.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    await until(() => lines().some((line) => line.event === 'outbox.delivery'));
    expect(lines().find((line) => line.event === 'outbox.delivery')).toMatchObject({ thread: 'worker', outcome: 'sent', origin: 'rocketchat' });
    expect(lines().find((line) => line.event === 'resetd.started')).not.toHaveProperty('thread');

    const exit = new Promise<number | null>((resolve) => server!.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(lines().at(-1)).toMatchObject({ event: 'resetd.stopped' });
  });
});
