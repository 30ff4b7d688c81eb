import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../support/temp-dir.ts';
import { at, resetItem } from './fixtures.ts';

/**
 * The worker records each mail's outcome when the SMTP server answers it, one per turn of
 * the event loop; those of a few milliseconds share one commit. Each commit appends the
 * pages it changed to the WAL, so the WAL's growth tells how many there were.
 */
const dir = tempDir('outcome-commits');
afterAll(() => dir.remove());

const PAGE_FRAME = 24 + 4096;

it('outcomes recorded one per turn within a few milliseconds commit together, each fenced by its own claim', async () => {
  const path = dir.file('outcomes.db');
  const store = openSqliteStore(path);
  try {
    for (let i = 0; i < 20; i++) await store.addResetRequest(resetItem(at(0), { identifier: `user${i}@example.com` }));
    const claimed = await store.claimOutbox(at(1), at(60), 20);
    expect(claimed).toHaveLength(20);
    const before = statSync(`${path}-wal`).size;
    const recorded: Promise<void>[] = [];
    for (const item of claimed) {
      recorded.push(store.finishOutboxItem(item, 'sent', at(2), { forgetRequester: true }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    // A stale claim (an attempt another worker has taken over) still changes nothing.
    recorded.push(store.finishOutboxItem({ ...claimed[0]!, attempts: 0 }, 'throttled', at(2)));
    await Promise.all(recorded);
    const frames = (statSync(`${path}-wal`).size - before) / PAGE_FRAME;
    // One commit of a few pages (the rows, the due index); one per outcome was 40.
    expect(frames).toBeGreaterThan(0);
    expect(frames).toBeLessThan(15);
    const reader = new Database(path, { readonly: true });
    try {
      expect(reader.prepare(`SELECT state, count(*) AS n FROM outbox GROUP BY state`).all()).toEqual([{ state: 'sent', n: 20 }]);
    } finally {
      reader.close();
    }
  } finally {
    await store.close();
  }
});
