import { afterAll, beforeAll, expect, it } from 'vitest';
import { deliverOutboxItem } from '../../src/core/deliver-outbox.ts';
import type { ResetMail } from '../../src/core/ports.ts';
import { builtinDirectory } from '../../src/directory/builtin/builtin-directory.ts';
import { createMailer } from '../../src/mail/mailer.ts';
import { smtpTransport } from '../../src/mail/transports.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import { memoryStore, movableClock, SETTINGS } from '../unit/harness.ts';

/**
 * A mail client folds messages with one Message-ID into one. So a mail with a new link (a
 * retry after a worker died mints a new token) has a new Message-ID, or the folded copy may
 * be the one whose link no longer works; the very same mail sent again keeps its own.
 */
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink?.close());

const senders = Object.fromEntries(
  (['resetd', 'rocketchat', 'maiascore', 'unleash', 'cloudreve', 'quickblox'] as const).map((origin) => [origin, { product: 'Example', from: 'resetd <no-reply@example.org>' }]),
) as Parameters<typeof createMailer>[0]['senders'];
const mailer = () => createMailer({ transport: smtpTransport(sink.url, 60_000), senders, messageIdDomain: 'reset.example.org', tokenTtlSeconds: 1800 });
const linkOf = (text: string | undefined) => /https:\/\/\S+/.exec(text ?? '')?.[0];

it('a reset mail sent again with a new token, after its lease ran out, has a new Message-ID', async () => {
  const store = memoryStore();
  const clock = movableClock();
  await store.addUser({ id: 'usr_ana', email: 'ana@example.com', emailKey: 'ana@example.com', name: null, locale: null, disabled: false, passwordHash: null, createdAt: clock.now() });
  await store.addResetRequest({ id: 'rr_crash', kind: 'reset', origin: 'rocketchat', identifier: 'ana@example.com', clientIp: null, createdAt: clock.now(), payload: null });
  const deps = {
    store,
    directory: builtinDirectory({ store, clock, hasher: { hash: async (p: string) => `plain:${p}` } }),
    mailer: mailer(),
    webhook: null,
    throttle: { take: async () => true },
    clock,
    settings: SETTINGS,
  };
  const mark = sink.mark();
  const before = sink.messages.length;
  // The first worker sends, then dies before it records "sent"; the second takes it over.
  const [first] = await store.claimOutbox(clock.now(), new Date(clock.now().getTime() + 60_000), 1);
  const diesBeforeRecording = { ...store, finishOutboxItem: async () => {} };
  expect(await deliverOutboxItem({ ...deps, store: diesBeforeRecording }, first!)).toEqual({ kind: 'sent' });
  clock.advance(60_000);
  const [second] = await store.claimOutbox(clock.now(), new Date(clock.now().getTime() + 60_000), 1);
  expect(second).toMatchObject({ id: 'rr_crash', attempts: 2 });
  expect(await deliverOutboxItem(deps, second!)).toEqual({ kind: 'sent' });

  await sink.waitFor(before + 2, 5_000);
  const [a, b] = mark.since();
  expect([a, b].map((m) => linkOf(m?.text))).toHaveLength(2);
  expect(linkOf(a!.text)).not.toBe(linkOf(b!.text));
  expect(a!.messageId).not.toBe(b!.messageId);
  // Both still name the request they answer.
  expect(a!.messageId).toMatch(/^<rr_crash\.[^@]+@reset\.example\.org>$/);
  expect(b!.messageId).toMatch(/^<rr_crash\.[^@]+@reset\.example\.org>$/);
});

it('the very same reset mail sent twice keeps its Message-ID', async () => {
  const mail: ResetMail = {
    requestId: 'rr_same',
    messageKey: 'rr_same.0123456789abcdef',
    to: 'bea@example.com',
    name: null,
    locale: null,
    origin: 'resetd',
    link: 'https://reset.example.org/reset?token=abc',
    expiresAt: new Date(Date.now() + 1_800_000),
    requestedAt: new Date(),
    requestedFrom: null,
  };
  const mark = sink.mark();
  const before = sink.messages.length;
  const send = mailer();
  await send.sendResetMail(mail);
  await send.sendResetMail(mail);
  await sink.waitFor(before + 2, 5_000);
  const [a, b] = mark.since();
  expect(a!.messageId).toBe('<rr_same.0123456789abcdef@reset.example.org>');
  expect(b!.messageId).toBe(a!.messageId);
});
