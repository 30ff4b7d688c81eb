import { statSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { limiterFactoryFor } from '../../src/limits/limiter-backend.ts';
import { mailThrottle } from '../../src/limits/mail-throttle.ts';
import { perMinuteLimit } from '../../src/limits/rate-limits.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../support/temp-dir.ts';

/**
 * On SQLite the rate limiters' counts of one turn of the event loop share one commit, as the
 * outbox rows do: a commit per count (rate-limiter-flexible's own SQLite limiter) cost each
 * request more than the rest of its path. Each commit appends at least one page to the WAL,
 * so the WAL's growth tells how many there were.
 */
const dir = tempDir('counter-commits');
afterAll(() => dir.remove());

const PAGE_FRAME = 24 + 4096;

it('fifty requests from fifty addresses in one turn are counted in one commit, each with its own count', async () => {
  const path = dir.file('ip.db');
  const store = openSqliteStore(path);
  try {
    const limit = perMinuteLimit(limiterFactoryFor(store), 'ip', 30);
    await limit('192.0.2.250');
    const before = statSync(`${path}-wal`).size;
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => limit(`192.0.2.${i}`)));
    const frames = (statSync(`${path}-wal`).size - before) / PAGE_FRAME;
    expect(answers.map((answer) => answer.ok && answer.count?.remaining)).toEqual(Array(50).fill(29));
    // One commit of a few pages (the table, its key and its expiry index); one each was 150.
    expect(frames).toBeGreaterThan(0);
    expect(frames).toBeLessThan(10);
  } finally {
    await store.close();
  }
});

it('counts of one key within one commit each read back their own: a budget of 3 lets exactly 3 mails of 10 through', async () => {
  const store = openSqliteStore(dir.file('mail.db'));
  try {
    const throttle = mailThrottle(limiterFactoryFor(store), 3, 0);
    const taken = await Promise.all(Array.from({ length: 10 }, () => throttle.take('acct-1')));
    expect(taken).toEqual([true, true, true, false, false, false, false, false, false, false]);
  } finally {
    await store.close();
  }
});
