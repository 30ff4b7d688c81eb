import { expect, it } from 'vitest';
import { whenNotBusy } from '../../src/store/sqlite/when-not-busy.ts';

/** SQLite's SQLITE_BUSY, as better-sqlite3 throws it. */
const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

it('tries again while SQLite answers busy, and answers what the action answers', async () => {
  let tries = 0;
  const result = await whenNotBusy(() => {
    if (++tries < 6) throw busy();
    return 'done';
  }, 5_000);
  expect(result).toBe('done');
  expect(tries).toBe(6);
});

it('throws the busy error once the time limit has passed', async () => {
  let tries = 0;
  await expect(
    whenNotBusy(() => {
      tries++;
      throw busy();
    }, 30),
  ).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
  expect(tries).toBeGreaterThan(1);
});

it('throws any other error at the first try', async () => {
  let tries = 0;
  await expect(
    whenNotBusy(() => {
      tries++;
      throw Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    }, 5_000),
  ).rejects.toThrow(/UNIQUE/);
  expect(tries).toBe(1);
});

it('lets the event loop run between tries', async () => {
  let timerRan = false;
  setTimeout(() => (timerRan = true), 0);
  await whenNotBusy(() => {
    if (!timerRan) throw busy();
  }, 5_000);
  expect(timerRan).toBe(true);
});
