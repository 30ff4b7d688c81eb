import { statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { startWalCheckpointer } from '../../src/store/sqlite/wal-checkpointer.ts';
import { tempDir } from '../support/temp-dir.ts';
import { at, resetItem } from './fixtures.ts';

/**
 * resetd serve's SQLite checkpoints run in a thread of their own (wal-checkpointer.ts): the
 * serving connection leaves them to it, and takes them back if the thread fails.
 */
const dir = tempDir('checkpointer');
const opened: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

const autocheckpoint = (db: Database.Database) => db.pragma('wal_autocheckpoint', { simple: true });

async function eventually(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the SQLite store with its checkpoints in a thread', () => {
  it('copies the commits into the database file while the serving connection checkpoints only far past SQLite’s threshold', async () => {
    const path = dir.file('copies.db');
    const store = openSqliteStore(path, { checkpointer: { onFailure: (error) => expect.fail(String(error)) } });
    opened.push(store);
    await eventually(() => autocheckpoint(store.db) === 10_000, 'the thread is ready');
    const before = statSync(path).size;
    // 500 commits of one row: some 2,000 WAL pages, past SQLite's own threshold (1,000) but
    // not the serving connection's, so only the thread copies them into the file.
    for (let i = 0; i < 500; i++) await store.addResetRequest(resetItem(at(i), { identifier: `someone-${i}@example.com` }));
    await eventually(() => statSync(path).size > before + 64 * 1024, 'the rows reach the database file');
    expect(await store.claimOutbox(at(1_000), at(61_000), 1_000)).toHaveLength(500);
  });

  it('closes its thread with the store', async () => {
    const store = openSqliteStore(dir.file('closes.db'), { checkpointer: { onFailure: (error) => expect.fail(String(error)) } });
    await eventually(() => autocheckpoint(store.db) === 10_000, 'the thread is ready');
    await store.close();
    expect(() => store.db.pragma('user_version')).toThrow(/not open/);
  });

  it('checkpoints on the serving connection again, and says so, when the thread cannot start', async () => {
    const db = new Database(dir.file('cannot-start.db'));
    db.pragma('journal_mode = WAL');
    const failures: unknown[] = [];
    const checkpointer = startWalCheckpointer([db], dir.file('missing/nowhere.db'), (error) => failures.push(error));
    await eventually(() => failures.length > 0, 'the failure is reported');
    expect(autocheckpoint(db)).toBe(1_000);
    await checkpointer.stop();
    db.close();
  });

  it('checkpoints on the serving connection again, and says so, when the thread fails after it started', async () => {
    const db = new Database(dir.file('fails-later.db'));
    db.pragma('journal_mode = WAL');
    // Not a database: opening it succeeds, the first checkpoint fails.
    const garbage = dir.file('garbage.db');
    writeFileSync(garbage, 'not a database file, but long enough to have a header of one '.repeat(100));
    const failures: unknown[] = [];
    startWalCheckpointer([db], garbage, (error) => failures.push(error));
    await eventually(() => failures.length > 0, 'the failure is reported');
    expect((failures[0] as Error).message).toMatch(/not a database/);
    expect(autocheckpoint(db)).toBe(1_000);
    db.close();
  });
});
