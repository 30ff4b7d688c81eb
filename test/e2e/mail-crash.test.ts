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
import { foldedByMessageId } from '../support/message-ids.ts';

/**
 * resetd is killed (SIGKILL) while it sends 500 reset mails; after a restart every one of
 * them has been delivered. A mail sent again carries a new token, and so a new Message-ID:
 * a client folding duplicates never keeps a copy whose link is dead in place of the live one.
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

it('every mail of 500 is delivered after a SIGKILL mid-send; a copy with a new link has a new Message-ID', async () => {
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
  // lease runs out, and sent again with a new token; after that nothing more goes out.
  await outboxSettledIn(database, 60_000);

  const { links, requests } = foldedByMessageId(sink.messages);
  const duplicates = sink.messages.length - requests.size;
  console.log(`crash test: ${atKill} delivered before SIGKILL, ${sink.messages.length} messages in all, ${links.size} distinct Message-IDs, ${duplicates} sent again`);

  expect([...requests.keys()].sort()).toEqual([...users].sort());
  for (const asked of requests.values()) expect(asked.size).toBe(1); // one request each, however often sent
  for (const carried of links.values()) expect(carried.size).toBe(1); // one Message-ID, one link
  expect(links.size).toBe(sink.messages.length); // every copy sent again had a new token
}, 120_000);
