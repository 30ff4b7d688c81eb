import Database from 'better-sqlite3';
import { afterAll, afterEach, expect, it } from 'vitest';
import { limiterFactoryFor } from '../../src/limits/limiter-backend.ts';
import { perMinuteLimit } from '../../src/limits/rate-limits.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../support/temp-dir.ts';
import { at, resetItem, resetToken } from './fixtures.ts';

/**
 * While another connection (resetd's worker, the CLI, a second process) holds SQLite's
 * write lock, the store's commits wait for it on later turns of the event loop: the thread
 * keeps serving, where SQLite's own busy wait would have slept it.
 */
const dir = tempDir('write-lock');
afterAll(() => dir.remove());
const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const handle of opened.splice(0).reverse()) await handle.close();
});

function storeWithLockHolder(name: string): { store: SqliteStore; other: Database.Database } {
  const path = dir.file(name);
  const store = openSqliteStore(path);
  const other = new Database(path);
  opened.push(store, other);
  return { store, other };
}

/** Settles `promise` into what it became, or 'pending' once `turns` timers have run without it settling. */
async function stateAfterTimers<T>(promise: Promise<T>, turns = 5): Promise<'pending' | 'resolved' | 'rejected'> {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  for (let i = 0; i < turns && state === 'pending'; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  return state;
}

it('answers a reset request once another connection releases the write lock, serving timers meanwhile', async () => {
  const { store, other } = storeWithLockHolder('request.db');
  other.exec('BEGIN IMMEDIATE');
  const added = store.addResetRequest(resetItem(at(0), { identifier: 'waits@example.com' }));
  // The timers ran: the thread was not asleep in SQLite's busy wait (which, with the lock
  // held by this same thread, would have ended only in SQLITE_BUSY after five seconds).
  expect(await stateAfterTimers(added)).toBe('pending');
  other.exec('COMMIT');
  await added;
  expect(other.prepare(`SELECT identifier FROM outbox`).pluck().all()).toEqual(['waits@example.com']);
});

it('claims, mints tokens and records outcomes once the lock is free again', async () => {
  const { store, other } = storeWithLockHolder('worker.db');
  await store.addResetRequest(resetItem(at(0)));
  other.exec('BEGIN IMMEDIATE');
  const claimed = store.claimOutbox(at(1_000), at(61_000), 10);
  expect(await stateAfterTimers(claimed)).toBe('pending');
  other.exec('COMMIT');
  const item = (await claimed)[0]!;

  other.exec('BEGIN IMMEDIATE');
  const minted = store.addResetToken(resetToken('u1', at(2_000), { requestId: item.id }));
  const finished = store.finishOutboxItem(item, 'sent', at(2_000));
  expect(await stateAfterTimers(Promise.all([minted, finished]))).toBe('pending');
  other.exec('ROLLBACK');
  await Promise.all([minted, finished]);
  expect((await store.outboxCounts(at(3_000))).byState).toMatchObject({ sent: 1, sending: 0, pending: 0 });
});

it('counts a rate limit once the lock is free again, serving timers meanwhile', async () => {
  const { store, other } = storeWithLockHolder('limit.db');
  const limit = perMinuteLimit(limiterFactoryFor(store), 'ip', 2);
  other.exec('BEGIN IMMEDIATE');
  const counted = Promise.all([limit('198.51.100.7'), limit('198.51.100.7'), limit('198.51.100.7')]);
  expect(await stateAfterTimers(counted)).toBe('pending');
  other.exec('COMMIT');
  expect((await counted).map((answer) => answer.ok)).toEqual([true, true, false]);
});

it('still refuses what SQLite refuses, at once', async () => {
  const { store } = storeWithLockHolder('refused.db');
  const item = resetItem(at(0));
  await store.addResetRequest(item);
  await expect(store.addResetRequest(item)).rejects.toThrow(/UNIQUE constraint failed: outbox.id/);
});
