import { execFileSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.ts';

/**
 * Each thread of a resetd loads the store it opens and no other: the PostgreSQL driver took
 * about 10 MB in a resetd on SQLite (its serving thread and its mail worker's thread both).
 * In a process of its own, so no other test's imports count.
 */
const dir = tempDir('store-drivers');
afterAll(() => dir.remove());

const loadedAfterOpening = (databaseUrl: string): string[] => {
  const script = `
    import { createRequire } from 'node:module';
    const { openStore } = await import(${JSON.stringify(new URL('../../src/store/open-store.ts', import.meta.url).href)});
    const store = await openStore(process.env.URL);
    await store.close();
    const packages = Object.keys(createRequire(import.meta.url).cache).map((path) => /node_modules\\/([^/]+)\\//.exec(path)?.[1]);
    console.log(JSON.stringify([...new Set(packages.filter(Boolean))]));`;
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, URL: databaseUrl }, encoding: 'utf8' })) as string[];
};

it('a store on SQLite loads the SQLite driver and not the PostgreSQL one', () => {
  const loaded = loadedAfterOpening(`sqlite:${dir.file('drivers.db')}`);
  expect(loaded).toContain('better-sqlite3');
  expect(loaded).not.toContain('pg');
});
