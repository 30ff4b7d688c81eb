import { describe, expect, it } from 'vitest';
import type { DeliverDeps } from '../../src/core/deliver-outbox.ts';
import { deliverOutboxItem } from '../../src/core/deliver-outbox.ts';
import type { Account, Directory, FindResult } from '../../src/core/directory.ts';
import type { MailThrottle } from '../../src/core/ports.ts';
import { DeliveryError } from '../../src/core/ports.ts';
import { sha256 } from '../../src/core/secrets.ts';
import type { Store } from '../../src/core/store.ts';
import { builtinDirectory } from '../../src/directory/builtin/builtin-directory.ts';
import { limiterFactoryFor } from '../../src/limits/limiter-backend.ts';
import { mailThrottle } from '../../src/limits/mail-throttle.ts';
import type { MovableClock } from './harness.ts';
import { capturingMailer, claimDue, memoryStore, movableClock, queueAndClaim, SETTINGS, tokenOf } from './harness.ts';

/** The worker's half: find the account, mint a token, mail it; or the notice, or the webhook. */
const NO_CAP: MailThrottle = { take: async () => true };

function setup(options: { directory?: (store: Store, clock: MovableClock) => Pick<Directory, 'find'>; throttle?: (store: Store) => MailThrottle; webhook?: boolean; settings?: Partial<DeliverDeps['settings']> } = {}) {
  const store = memoryStore();
  const clock = movableClock();
  const mailer = capturingMailer();
  const webhooks: string[] = [];
  let webhookFailure: Error | null = null;
  const directory = options.directory?.(store, clock) ?? builtinDirectory({ store, clock, hasher: { hash: async (p) => `plain:${p}` } });
  const deps: DeliverDeps = {
    store,
    directory,
    mailer,
    webhook: options.webhook
      ? {
          async send(body) {
            if (webhookFailure) throw webhookFailure;
            webhooks.push(body);
          },
        }
      : null,
    throttle: options.throttle?.(store) ?? NO_CAP,
    clock,
    settings: { ...SETTINGS, ...options.settings },
    random: () => 0.5,
  };
  const addAccount = (account: Partial<Account> & Pick<Account, 'email'>) =>
    store.addUser({ id: `usr_${account.email.split('@')[0]!.toLowerCase()}`, name: null, locale: null, disabled: false, ...account, emailKey: account.email.toLowerCase(), passwordHash: null, createdAt: clock.now() });
  const states = async () => (await store.outboxCounts(new Date(0))).byState;
  return { store, clock, mailer, webhooks, deps, addAccount, states, failWebhook: (error: Error) => (webhookFailure = error) };
}

const answering = (result: FindResult | (() => Promise<FindResult>)) => () => ({
  find: async () => (typeof result === 'function' ? result() : result),
});

describe('a reset item', () => {
  it('for a found account: mints a token and mails its link to the directory’s address, in the account’s language', async () => {
    const { store, clock, mailer, deps, addAccount, states } = setup();
    await addAccount({ id: 'usr_ana', email: 'Ana@Example.com', name: 'Ana', locale: 'pt-BR' });
    const item = await queueAndClaim(store, clock, { identifier: 'ana@example.com', origin: 'rocketchat', clientIp: '198.51.100.4' });
    clock.advance(2_000);

    expect(await deliverOutboxItem(deps, item)).toEqual({ kind: 'sent' });
    const [mail] = mailer.resetMails;
    expect(mail).toEqual({
      requestId: item.id,
      messageKey: expect.stringMatching(/^rr_\w+\.[0-9a-f]{16}$/),
      to: 'Ana@Example.com',
      name: 'Ana',
      locale: 'pt-BR',
      origin: 'rocketchat',
      link: expect.stringMatching(/^https:\/\/reset\.example\.org\/reset\?token=[A-Za-z0-9_-]{43}$/),
      expiresAt: new Date(clock.now().getTime() + 1800_000),
      requestedAt: item.createdAt,
      requestedFrom: '198.51.100.4',
    });
    expect(await store.findResetToken(sha256(tokenOf(mail!.link)))).toMatchObject({
      requestId: item.id,
      account: { id: 'usr_ana', email: 'Ana@Example.com', name: 'Ana', locale: 'pt-BR' },
      origin: 'rocketchat',
      expiresAt: mail!.expiresAt,
      usedAt: null,
      revokedAt: null,
    });
    expect(mail!.link).not.toContain(sha256(tokenOf(mail!.link)));
    expect(await states()).toMatchObject({ sent: 1, sending: 0 });
  });

  it('a link carries the account id where the origin’s reset path asks for it (Cloudreve)', async () => {
    const { store, clock, mailer, deps, addAccount } = setup();
    await addAccount({ id: 'usr_7', email: 'seven@example.com' });
    await deliverOutboxItem(deps, await queueAndClaim(store, clock, { identifier: 'seven@example.com', origin: 'cloudreve' }));
    expect(mailer.resetMails[0]!.link).toMatch(/^https:\/\/reset\.example\.org\/forget\/reset\?id=usr_7&sign=[A-Za-z0-9_-]{43}$/);
  });

  it('a new request’s link replaces the one before: only the newest works', async () => {
    const { store, clock, mailer, deps, addAccount } = setup();
    await addAccount({ email: 'ana@example.com' });
    await deliverOutboxItem(deps, await queueAndClaim(store, clock));
    clock.advance(1_000);
    await deliverOutboxItem(deps, await queueAndClaim(store, clock));
    const [first, second] = await Promise.all(mailer.resetMails.map((mail) => store.findResetToken(sha256(tokenOf(mail.link)))));
    expect(first!.revokedAt).toEqual(clock.now());
    expect(second!.revokedAt).toBeNull();
  });

  it('for nobody: no_account, no mail', async () => {
    const { store, clock, mailer, deps, states } = setup();
    expect(await deliverOutboxItem(deps, await queueAndClaim(store, clock, { identifier: 'nobody@example.com' }))).toEqual({ kind: 'no_account' });
    expect(mailer.resetMails).toEqual([]);
    expect(await states()).toMatchObject({ no_account: 1, sending: 0 });
  });

  it('for a disabled account: no_account, like nobody', async () => {
    const { store, clock, mailer, deps, addAccount, states } = setup();
    await addAccount({ email: 'banned@example.com', disabled: true });
    expect(await deliverOutboxItem(deps, await queueAndClaim(store, clock, { identifier: 'banned@example.com' }))).toEqual({ kind: 'no_account' });
    expect(mailer.resetMails).toEqual([]);
    expect(await states()).toMatchObject({ no_account: 1 });
  });

  it('for a name two accounts share: no_account with how many matched, and nobody mailed', async () => {
    const { store, clock, mailer, deps, addAccount, states } = setup();
    await addAccount({ email: 'sam.one@example.com', name: 'Sam' });
    await addAccount({ email: 'sam.two@example.com', name: 'SAM' });
    const item = await queueAndClaim(store, clock, { origin: 'maiascore', identifier: 'sam' });
    expect(await deliverOutboxItem(deps, item)).toEqual({ kind: 'no_account', ambiguous: 2 });
    expect(mailer.resetMails).toEqual([]);
    expect(await states()).toMatchObject({ no_account: 1 });
  });

  it('for an id: the account it names is mailed at its own address', async () => {
    const { store, clock, mailer, deps, addAccount } = setup();
    await addAccount({ id: 'usr_42', email: 'owner@example.com' });
    expect(await deliverOutboxItem(deps, await queueAndClaim(store, clock, { origin: 'maiascore', identifier: 'usr_42' }))).toEqual({ kind: 'sent' });
    expect(mailer.resetMails.map((mail) => mail.to)).toEqual(['owner@example.com']);
  });

  it('a directory answering with an account at another address is an error: no token, no mail, retried', async () => {
    const other: Account = { id: 'usr_x', email: 'someone.else@example.com', name: null, locale: null, disabled: false };
    const { store, clock, mailer, deps, states } = setup({ directory: answering({ kind: 'found', account: other }) });
    const outcome = await deliverOutboxItem(deps, await queueAndClaim(store, clock, { identifier: 'ana@example.com' }));
    expect(outcome).toMatchObject({ kind: 'retry', error: expect.stringContaining('not the one asked for') });
    expect(mailer.resetMails).toEqual([]);
    expect(await states()).toMatchObject({ pending: 1, sent: 0 });
  });

  it('a directory answering with an account without a valid address is an error, no mail', async () => {
    const broken: Account = { id: 'usr_x', email: 'not an address', name: null, locale: null, disabled: false };
    const { store, clock, mailer, deps } = setup({ directory: answering({ kind: 'found', account: broken }) });
    const outcome = await deliverOutboxItem(deps, await queueAndClaim(store, clock, { origin: 'maiascore', identifier: 'usr_x' }));
    expect(outcome).toMatchObject({ kind: 'retry', error: expect.stringContaining('no valid email address') });
    expect(mailer.resetMails).toEqual([]);
  });

  it('a directory that cannot answer: retried with exponential backoff, due not before then, dead after the last attempt', async () => {
    const { store, clock, mailer, deps, states } = setup({ directory: answering(() => Promise.reject(new Error('directory: connection refused'))) });
    // random() = 0.5: each delay is three quarters of base·2^(attempt-1), base 1 s.
    const first = await queueAndClaim(store, clock);
    expect(await deliverOutboxItem(deps, first)).toEqual({ kind: 'retry', at: new Date(clock.now().getTime() + 750), error: 'directory: connection refused' });
    clock.advance(749);
    expect(await claimDue(store, clock)).toEqual([]);
    clock.advance(1);
    const [second] = await claimDue(store, clock);
    expect(second!.attempts).toBe(2);
    expect(await deliverOutboxItem(deps, second!)).toEqual({ kind: 'retry', at: new Date(clock.now().getTime() + 1_500), error: 'directory: connection refused' });
    clock.advance(1_500);
    const [third] = await claimDue(store, clock);
    expect(third!.attempts).toBe(3);
    expect(await deliverOutboxItem(deps, third!)).toEqual({ kind: 'dead', error: 'directory: connection refused' });
    expect(await states()).toMatchObject({ dead: 1, pending: 0, sending: 0 });
    expect(await store.listDeadOutboxItems(10)).toEqual([expect.objectContaining({ id: first.id, attempts: 3, lastError: 'directory: connection refused' })]);
    expect(mailer.resetMails).toEqual([]);
  });

  it('the retry delay is jittered over the upper half of its ceiling, and the ceiling stops at an hour', async () => {
    const down = answering(() => Promise.reject(new Error('down')));
    const delayWith = async (random: number, settings: Partial<DeliverDeps['settings']> = {}, attempt = 1) => {
      const { store, clock, deps } = setup({ directory: down, settings: { mailMaxAttempts: 10, ...settings } });
      let item = await queueAndClaim(store, clock);
      for (let n = 1; n < attempt; n++) {
        const retry = await deliverOutboxItem(deps, item);
        clock.advance((retry as { at: Date }).at.getTime() - clock.now().getTime());
        [item] = (await claimDue(store, clock)) as [typeof item];
      }
      const outcome = await deliverOutboxItem({ ...deps, random: () => random }, item);
      return (outcome as { at: Date }).at.getTime() - clock.now().getTime();
    };
    expect(await delayWith(0)).toBe(500);
    expect(await delayWith(0.99)).toBe(995);
    expect(await delayWith(0.5, {}, 3)).toBe(3_000);
    // base 50 minutes: the second delay's ceiling would be 100 minutes, and is an hour.
    expect(await delayWith(0, { mailRetryBaseMs: 3_000_000 }, 2)).toBe(1_800_000);
  });

  it('a mail the server refuses for now is retried with a fresh token; the mailed link is the one that works', async () => {
    const { store, clock, mailer, deps, addAccount } = setup();
    await addAccount({ email: 'ana@example.com' });
    mailer.failWith(new DeliveryError('smtp: 451 try again later', true));
    const first = await queueAndClaim(store, clock);
    expect(await deliverOutboxItem(deps, first)).toMatchObject({ kind: 'retry', error: 'smtp: 451 try again later' });
    mailer.failWith(null);
    clock.advance(60_000);
    const [second] = await claimDue(store, clock);
    expect(await deliverOutboxItem(deps, second!)).toEqual({ kind: 'sent' });
    expect(mailer.resetMails).toHaveLength(1);
    expect(await store.findResetToken(sha256(tokenOf(mailer.resetMails[0]!.link)))).toMatchObject({ usedAt: null, revokedAt: null });
  });

  it('a mail that went out is never sent again because recording it failed: the record is tried again', async () => {
    const { store, clock, mailer, deps, addAccount, states } = setup();
    await addAccount({ email: 'ana@example.com' });
    const item = await queueAndClaim(store, clock);
    // The database ends the connection under the first record, as PostgreSQL does when a backend is terminated.
    let failures = 2;
    const finish = store.finishOutboxItem.bind(store);
    const flaky: DeliverDeps = {
      ...deps,
      store: {
        ...deps.store,
        addResetToken: deps.store.addResetToken.bind(deps.store),
        failOutboxItem: deps.store.failOutboxItem.bind(deps.store),
        finishOutboxItem: async (...args) => {
          if (failures-- > 0) throw new Error('terminating connection due to administrator command');
          return finish(...args);
        },
      },
    };
    expect(await deliverOutboxItem(flaky, item)).toEqual({ kind: 'sent' });
    expect(await states()).toMatchObject({ sent: 1 });
    clock.advance(3_600_000);
    expect(await claimDue(store, clock)).toEqual([]);
    expect(mailer.resetMails).toHaveLength(1);
  });

  it('a mail the server refuses for good is dead at once', async () => {
    const { store, clock, mailer, deps, addAccount, states } = setup();
    await addAccount({ email: 'ana@example.com' });
    mailer.failWith(new DeliveryError('smtp: 550 no such mailbox', false));
    expect(await deliverOutboxItem(deps, await queueAndClaim(store, clock))).toEqual({ kind: 'dead', error: 'smtp: 550 no such mailbox' });
    expect(await states()).toMatchObject({ dead: 1 });
  });

  it('past the account’s mail allowance: throttled, no token, no mail; the allowance is the account’s whatever it was named by', async () => {
    const { store, clock, mailer, deps, addAccount, states } = setup({ throttle: (s) => mailThrottle(limiterFactoryFor(s), 2, 0) });
    await addAccount({ id: 'usr_ana', email: 'ana@example.com' });
    expect(await deliverOutboxItem(deps, await queueAndClaim(store, clock, { identifier: 'ana@example.com' }))).toEqual({ kind: 'sent' });
    expect(await deliverOutboxItem(deps, await queueAndClaim(store, clock, { origin: 'maiascore', identifier: 'usr_ana' }))).toEqual({ kind: 'sent' });
    expect(await deliverOutboxItem(deps, await queueAndClaim(store, clock, { identifier: 'ana@example.com' }))).toEqual({ kind: 'throttled' });
    expect(mailer.resetMails).toHaveLength(2);
    expect(await states()).toMatchObject({ sent: 2, throttled: 1 });
  });

  it('a retry of a request is not counted against the allowance again', async () => {
    const { store, clock, mailer, deps, addAccount } = setup({ throttle: (s) => mailThrottle(limiterFactoryFor(s), 1, 0) });
    await addAccount({ email: 'ana@example.com' });
    mailer.failWith(new Error('smtp: connection reset'));
    expect(await deliverOutboxItem(deps, await queueAndClaim(store, clock))).toMatchObject({ kind: 'retry' });
    mailer.failWith(null);
    clock.advance(60_000);
    const [retry] = await claimDue(store, clock);
    expect(await deliverOutboxItem(deps, retry!)).toEqual({ kind: 'sent' });
    expect(await deliverOutboxItem(deps, await queueAndClaim(store, clock))).toEqual({ kind: 'throttled' });
  });
});

describe('a password-changed item', () => {
  const recipient = { email: 'Ana@Example.com', name: 'Ana', locale: 'de' };

  it('mails the notice to the recipient its payload names, without asking the directory', async () => {
    const { store, clock, mailer, deps } = setup({ directory: answering(() => Promise.reject(new Error('the directory must not be asked'))) });
    const item = await queueAndClaim(store, clock, { kind: 'password_changed', origin: 'unleash', identifier: 'usr_ana', clientIp: '203.0.113.5', payload: JSON.stringify(recipient) });
    expect(await deliverOutboxItem(deps, item)).toEqual({ kind: 'sent' });
    expect(mailer.changedMails).toEqual([{ requestId: item.id, to: 'Ana@Example.com', name: 'Ana', locale: 'de', origin: 'unleash', changedAt: item.createdAt, changedFrom: '203.0.113.5' }]);
    expect(mailer.resetMails).toEqual([]);
  });

  it('without a recipient it is dead at once', async () => {
    const { store, clock, mailer, deps } = setup();
    expect(await deliverOutboxItem(deps, await queueAndClaim(store, clock, { kind: 'password_changed', identifier: 'usr_ana', payload: null }))).toEqual({ kind: 'dead', error: 'the notice has no recipient' });
    expect(mailer.changedMails).toEqual([]);
  });
});

describe('a webhook item', () => {
  const body = JSON.stringify({ event: 'password.changed', userId: 'usr_ana', email: 'ana@example.com', changedAt: '2031-03-01T12:00:00.000Z' });

  it('sends its payload as the body', async () => {
    const { store, clock, webhooks, deps, states } = setup({ webhook: true });
    expect(await deliverOutboxItem(deps, await queueAndClaim(store, clock, { kind: 'webhook', identifier: 'usr_ana', payload: body }))).toEqual({ kind: 'sent' });
    expect(webhooks).toEqual([body]);
    expect(await states()).toMatchObject({ sent: 1 });
  });

  it('is retried when the application cannot take it now', async () => {
    const { store, clock, webhooks, deps, failWebhook } = setup({ webhook: true });
    failWebhook(new DeliveryError('webhook: 503', true));
    expect(await deliverOutboxItem(deps, await queueAndClaim(store, clock, { kind: 'webhook', identifier: 'usr_ana', payload: body }))).toMatchObject({ kind: 'retry', error: 'webhook: 503' });
    expect(webhooks).toEqual([]);
  });

  it('is dead at once when no webhook is configured', async () => {
    const { store, clock, deps } = setup({ webhook: false });
    expect(await deliverOutboxItem(deps, await queueAndClaim(store, clock, { kind: 'webhook', identifier: 'usr_ana', payload: body }))).toEqual({ kind: 'dead', error: 'no webhook is configured' });
  });
});
