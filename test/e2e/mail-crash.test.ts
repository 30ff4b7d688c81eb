import { afterAll, expect, it } from 'vitest';
import type { ResetdProcess } from '../support/processes.ts';
import { startResetdProcess } from '../support/processes.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import { ADMIN_TOKEN } from '../support/resetd.ts';
import { addUsers } from '../support/admin.ts';
import { postJson } from '../support/tokens.ts';
import { newTestDatabase } from '../support/test-store.ts';
import { inParallel, outboxSettledIn } from '../support/waiting.ts';
import { freePort } from '../support/ports.ts';

/**
 * resetd is killed (SIGKILL) while it sends 500 reset mails; after a restart every one of
 * them has been delivered, and a mail delivered twice carries the same Message-ID.
 */
const COUNT = 500;
const database = newTestDatabase();
let sink: SmtpSink | undefined;
let child: ResetdProcess | undefined;

afterAll(async () => {
  await child?.kill('SIGKILL');
  await sink?.close();
  await database.drop();
});

/** resetd as operators run it (`resetd serve`), on the same database each time. */
const startResetd = (port: number, smtpUrl: string) =>
  startResetdProcess(
    'serve',
    {
      DATABASE_URL: database.url,
      SMTP_URL: smtpUrl,
      RESETD_ADMIN_TOKEN: ADMIN_TOKEN,
      MAIL_LEASE_MS: '1500',
      MAIL_RETRY_BASE_MS: '50',
      RATE_LIMIT_IP: '0',
    },
    port,
  );

it('every mail of 500 is delivered after a SIGKILL mid-send, duplicates share their Message-ID', async () => {
  // A slow server: mail is still going out when the process dies.
  sink = await startSmtpSink({ delayMs: 15 });
  const port = await freePort();
  child = await startResetd(port, sink.url);

  const users = Array.from({ length: COUNT }, (_, i) => `crash${i}@example.com`);
  await addUsers(child, users, 20);
  await inParallel(users, 20, async (email) => {
    expect((await postJson(child!, '/api/v1/users.forgotPassword', { email })).status).toBe(200);
  });

  await sink.waitFor(50, 30_000);
  await child.kill('SIGKILL');
  const atKill = sink.messages.length;
  expect(atKill).toBeLessThan(COUNT); // the kill really came mid-send

  child = await startResetd(port, sink.url);
  // Until every row is sent: what the killed process left `sending` is taken over once its
  // lease runs out, and sent again with the same Message-ID; after that nothing more goes out.
  await outboxSettledIn(database, 60_000);

  const byId = new Map<string, Set<string>>();
  for (const message of sink.messages) {
    const to = (message.to as { text: string }).text;
    byId.set(message.messageId!, (byId.get(message.messageId!) ?? new Set()).add(to));
  }
  const delivered = new Set(sink.messages.map((m) => (m.to as { text: string }).text));
  const duplicates = sink.messages.length - byId.size;
  console.log(`crash test: ${atKill} delivered before SIGKILL, ${sink.messages.length} messages in all, ${byId.size} distinct Message-IDs, ${duplicates} duplicates`);

  expect(byId.size).toBe(COUNT);
  expect([...delivered].sort()).toEqual([...users].sort());
  for (const recipients of byId.values()) expect(recipients.size).toBe(1); // a duplicate is the same mail
}, 120_000);
