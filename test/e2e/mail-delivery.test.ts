import { afterEach, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { listDeadMail, retryDeadMail } from '../../src/core/outbox.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { addUsers } from '../support/admin.ts';
import { postJson } from '../support/tokens.ts';
import { outboxSettled, outboxStatsOf, until } from '../support/waiting.ts';
import { freePort } from '../support/ports.ts';

/** Mail survives a mail server that refuses, is down, or bounces one address. */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function resetdWith(env: Record<string, string>): Promise<TestResetd> {
  const resetd = await startTestResetd({ MAIL_RETRY_BASE_MS: '50', MAIL_MAX_ATTEMPTS: '20', ...env });
  cleanups.push(() => resetd.dispose());
  return resetd;
}

async function sinkWith(options: Parameters<typeof startSmtpSink>[0]): Promise<SmtpSink> {
  const sink = await startSmtpSink(options);
  cleanups.unshift(() => sink.close()); // closed after resetd lets go of its connections
  return sink;
}

async function requestResets(resetd: TestResetd, emails: readonly string[]) {
  for (const email of emails) {
    expect(await (await postJson(resetd, '/api/v4/user/reset', { email })).json()).toEqual({ code: 0, msg: '' });
  }
}

const emails = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`);
const recipients = (messages: ParsedMail[]) => messages.map((m) => (m.to as { text: string }).text).sort();
const ids = (messages: ParsedMail[]) => messages.map((m) => m.messageId);


describe('mail delivery', () => {
  it('a server that answers 421 for a while, then accepts: every message arrives exactly once', async () => {
    const sink = await sinkWith({ refuse: (_to, attempt) => (attempt <= 3 ? { code: 421, message: 'Try again later' } : null) });
    const resetd = await resetdWith({ SMTP_URL: sink.url });
    const users = emails(12, 'busy');
    await addUsers(resetd, users);
    await requestResets(resetd, users);

    await sink.waitFor(users.length);
    await outboxSettled(resetd);
    expect(recipients(sink.messages)).toEqual([...users].sort());
    expect(new Set(ids(sink.messages)).size).toBe(users.length);
    const stats = await outboxStatsOf(resetd);
    expect(stats.byState.sent).toBe(users.length);
    expect(stats.retried).toBe(users.length);
    expect(stats.byState.dead).toBe(0);
  });

  it('a server that is down at start: mail waits, and arrives once it is up', async () => {
    const port = await freePort();
    const resetd = await resetdWith({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    const users = emails(8, 'later');
    await addUsers(resetd, users);
    await requestResets(resetd, users);

    await until(async () => (await outboxStatsOf(resetd)).retried === users.length);
    const waiting = await outboxStatsOf(resetd);
    expect(waiting.queueDepth).toBe(users.length);
    expect(waiting.byState.sent).toBe(0);

    const sink = await sinkWith({ port });
    await sink.waitFor(users.length, 15_000);
    await outboxSettled(resetd, 15_000); // nothing left to send: a mail sent twice would be here
    expect(recipients(sink.messages)).toEqual([...users].sort());
  });

  it('550 for one recipient: that mail is dead-lettered at once, the rest arrive', async () => {
    const sink = await sinkWith({ refuse: (to) => (to === 'bounce@example.com' ? { code: 550, message: 'No such user here' } : null) });
    const resetd = await resetdWith({ SMTP_URL: sink.url });
    const users = [...emails(5, 'fine'), 'bounce@example.com'];
    await addUsers(resetd, users);
    await requestResets(resetd, users);

    await sink.waitFor(5);
    const deps = { store: resetd.store, clock: { now: () => new Date() } };
    await until(async () => (await outboxStatsOf(resetd)).byState.dead === 1);
    const [dead] = await listDeadMail(deps);
    expect(dead!.attempts).toBe(1);
    expect(dead!.lastError).toMatch(/550/);
    expect(recipients(sink.messages)).toEqual(emails(5, 'fine').sort());

    // The operator puts it back; the server still refuses, so it dies again, once more.
    expect(await retryDeadMail(deps, [dead!.id])).toBe(1);
    await until(async () => (await listDeadMail(deps)).length === 1 && (await outboxStatsOf(resetd)).queueDepth === 0);
    expect(sink.messages).toHaveLength(5);
  });
});
