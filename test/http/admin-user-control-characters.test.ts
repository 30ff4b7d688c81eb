import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { ADMIN_TOKEN, startTestResetd } from '../support/resetd.ts';
import { TEST_STORE } from '../support/test-store.ts';
import { postJson } from '../support/tokens.ts';

/**
 * A user's name and address never hold a control character (NUL, a line break, an escape):
 * the admin API refuses them with a 400 problem, before any store sees them, so SQLite and
 * PostgreSQL (which cannot store NUL in text at all) answer alike. Run with
 * RESETD_TEST_STORE=postgres for the other store.
 */
let resetd: TestResetd;
beforeAll(async () => {
  resetd = await startTestResetd();
});
afterAll(() => resetd?.dispose());

const addUser = (body: Record<string, unknown>) => postJson(resetd, '/admin/users', body, { authorization: `Bearer ${ADMIN_TOKEN}` });

describe(`a control character in a new user's fields, on ${TEST_STORE}`, () => {
  it.each([
    ['NUL', 'Ada\u0000Lovelace'],
    ['a line break', 'Ada\nLovelace'],
    ['an escape', 'Ada\u001b[31m'],
    ['DEL', 'Ada\u007f'],
    ['a C1 control', 'Ada\u0085'],
  ])('%s in the name is a 400 problem, and no user is added', async (_label, name) => {
    const email = `named${Math.random().toString(36).slice(2)}@example.com`;
    const response = await addUser({ email, name });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 400, title: 'Bad Request', detail: expect.stringContaining('name') });
    // The address is still free: nothing was stored.
    expect((await addUser({ email, name: 'Ada Lovelace' })).status).toBe(201);
  });

  it.each([
    ['NUL', 'ada\u0000@example.com'],
    ['a line break', 'ada\n@example.com'],
    ['a tab', 'ada@exam\tple.com'],
  ])('%s in the address is a 400 problem', async (_label, email) => {
    const response = await addUser({ email });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ status: 400, detail: expect.stringContaining('email') });
  });

  it('a name with letters of any script, spaces and punctuation is taken', async () => {
    expect((await addUser({ email: 'zoe@example.com', name: 'Zoë O’Brien-Łukasz 李' })).status).toBe(201);
  });
});
