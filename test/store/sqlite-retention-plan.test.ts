import { afterAll, expect, it } from 'vitest';
import { FORGET_OUTBOX_ITEMS, openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../support/temp-dir.ts';

/**
 * Retention runs at each look for mail while it has a backlog, on the worker's thread and
 * under the write lock: its batch of old outbox items must be found by age, whatever the
 * number of recent finished items, which can be millions over RETENTION_DAYS.
 */
const dir = tempDir('retention-plan');
afterAll(() => dir.remove());

it("retention finds old outbox items by their age (outbox_created), not by reading every finished item's state", () => {
  const store = openSqliteStore(dir.file('plan.db'));
  try {
    const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${FORGET_OUTBOX_ITEMS}`).all(0, 500) as { detail: string }[]).map((row) => row.detail);
    expect(plan.join(' | ')).toContain('USING INDEX outbox_created (created_at<?)');
    expect(plan.join(' | ')).not.toContain('outbox_due');
  } finally {
    void store.close();
  }
});
