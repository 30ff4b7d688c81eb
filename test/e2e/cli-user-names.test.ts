import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCli } from '../../src/cli.ts';
import type { TestDatabase } from '../support/test-store.ts';
import { newTestDatabase, TEST_STORE } from '../support/test-store.ts';

/**
 * `resetd users add --name` refuses a control character in the name, as the admin API does,
 * on either store: PostgreSQL cannot store NUL at all, and a line break or an escape would
 * travel into mail, pages and logs. Run with RESETD_TEST_STORE=postgres for the other store.
 */
let database: TestDatabase;
const savedDatabaseUrl = process.env.DATABASE_URL;
beforeEach(() => {
  database = newTestDatabase();
  process.env.DATABASE_URL = database.url;
});
afterEach(async () => {
  if (savedDatabaseUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedDatabaseUrl;
  await database.drop();
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, (line) => out.push(line), (line) => err.push(line));
  return { code, out, err };
}

it.each([
  ['NUL', 'Ada\u0000Lovelace'],
  ['a line break', 'Ada\nLovelace'],
  ['an escape', 'Ada\u001b[31m'],
])(`a name with %s is refused with exit code 2 and no user is added, on ${TEST_STORE}`, async (_label, name) => {
  expect(await cli('users', 'add', 'ada@example.com', '--name', name)).toEqual({ code: 2, out: [], err: ['name must not contain control characters'] });
  expect(await database.query('SELECT id FROM users')).toEqual([]);
  expect((await cli('users', 'add', 'ada@example.com', '--name', 'Ada Lovelace')).code).toBe(0);
});
