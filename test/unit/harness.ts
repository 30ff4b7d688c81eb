import { afterEach } from 'vitest';
import type { NewOutboxItem, OutboxItem } from '../../src/core/outbox-item.ts';
import type { Clock, Mailer, PasswordChangedMail, ResetMail } from '../../src/core/ports.ts';
import { newId } from '../../src/core/secrets.ts';
import type { CoreSettings } from '../../src/core/settings.ts';
import type { Store } from '../../src/core/store.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

/**
 * What the core's unit tests run on: a real SQLite store in memory (the same code as in
 * production, no fake), a clock the test moves, a mailer that keeps what it was given.
 */

const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

/** A fresh, empty store in memory, closed after the test. */
export function memoryStore(): Store {
  const store = openSqliteStore(':memory:');
  opened.push(store);
  return store;
}

export interface MovableClock extends Clock {
  advance(ms: number): void;
}

export function movableClock(start = new Date('2031-03-01T12:00:00.000Z')): MovableClock {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(ms) {
      now += ms;
    },
  };
}

export interface CapturingMailer extends Mailer {
  readonly resetMails: ResetMail[];
  readonly changedMails: PasswordChangedMail[];
  /** The next sends throw this error instead of being kept. */
  failWith(error: Error | null): void;
}

export function capturingMailer(): CapturingMailer {
  let failure: Error | null = null;
  const resetMails: ResetMail[] = [];
  const changedMails: PasswordChangedMail[] = [];
  return {
    resetMails,
    changedMails,
    failWith(error) {
      failure = error;
    },
    async sendResetMail(mail) {
      if (failure) throw failure;
      resetMails.push(mail);
    },
    async sendPasswordChangedMail(mail) {
      if (failure) throw failure;
      changedMails.push(mail);
    },
  };
}

export const SETTINGS: CoreSettings = {
  publicUrl: 'https://reset.example.org/',
  resetPaths: {
    resetd: '/reset?token={token}',
    rocketchat: '/reset?token={token}',
    maiascore: '/reset?token={token}',
    unleash: '/reset?token={token}',
    quickblox: '/reset?token={token}',
    cloudreve: '/forget/reset?id={user}&sign={token}',
  },
  tokenTtlSeconds: 1800,
  mailMaxAttempts: 3,
  mailRetryBaseMs: 1000,
  webhook: false,
};

/** The token a reset link carries. */
export function tokenOf(link: string): string {
  const url = new URL(link);
  return url.searchParams.get('token') ?? url.searchParams.get('sign') ?? '';
}

/** Queues an item as the request path (or a completion) would, and claims it as the worker does. */
export async function queueAndClaim(store: Store, clock: Clock, fields: Partial<NewOutboxItem> = {}): Promise<OutboxItem> {
  const now = clock.now();
  await store.addResetRequest({ id: newId('rr'), kind: 'reset', origin: 'rocketchat', identifier: 'ana@example.com', clientIp: '192.0.2.1', createdAt: now, payload: null, ...fields });
  const [item] = await store.claimOutbox(now, new Date(now.getTime() + 60_000), 1);
  if (!item) throw new Error('the queued item was not claimed');
  return item;
}

/** Claims whatever is due now (leases of a minute). */
export function claimDue(store: Store, clock: Clock, limit = 10): Promise<OutboxItem[]> {
  const now = clock.now();
  return store.claimOutbox(now, new Date(now.getTime() + 60_000), limit);
}

/** Polls until `condition` holds (every few milliseconds); throws after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A promise and the functions that settle it, for a port that answers when the test says so. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
