import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { ADMIN_TOKEN, startTestResetd } from '../support/resetd.ts';
import { postJson } from '../support/tokens.ts';

/** A password given when the admin API adds a user passes the same policy as a reset, and is refused in the admin API's problem shape. */
let resetd: TestResetd;

beforeAll(async () => {
  resetd = await startTestResetd({ PRODUCT_NAME: 'Quillfeather Depot' });
});
afterAll(() => resetd?.dispose());

const addUser = (email: string, password: string) => postJson(resetd, '/admin/users', { email, password }, { authorization: `Bearer ${ADMIN_TOKEN}` });

async function refusal(email: string, password: string) {
  const response = await addUser(email, password);
  expect(response.status).toBe(422);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return response.json();
}

describe('POST /admin/users with a password', () => {
  it('refuses a single letter: too short', async () => {
    expect(await refusal('one.letter@example.com', 'a')).toEqual({
      type: 'urn:resetd:problem:weak-password',
      title: 'Unprocessable Entity',
      status: 422,
      detail: 'Choose another password.',
      errors: [{ code: 'too-short', message: 'Use at least 15 characters.' }],
    });
  });

  it('refuses an easily guessed one, saying why', async () => {
    const body = await refusal('repeats@example.com', 'aaaaaaaaaaaaaaa');
    expect(body.errors).toEqual([
      { code: 'easily-guessed', message: 'This password is easy to guess: repeated characters or words are among the first guesses. A few unrelated words make a strong one.' },
    ]);
    expect((await refusal('keyboard@example.com', 'qwertyuiopasdfgh')).errors.map((error: { code: string }) => error.code)).toEqual(['easily-guessed']);
    expect((await refusal('named@example.com', 'Quillfeather Depot 1')).errors[0].message).toContain('the names of this site');
  });

  it('refuses one that contains the new user’s address', async () => {
    expect((await refusal('velvetina.quorra@example.com', 'velvetina.quorra tree house')).errors.map((error: { code: string }) => error.code)).toEqual(['contains-email']);
  });

  it('adds the user, then, with a good password; a refused one added nobody', async () => {
    const added = await addUser('repeats@example.com', 'Kangaroo Velvet Lantern Orbit');
    expect(added.status).toBe(201);
    const rows = await resetd.database.query<{ email: string }>('SELECT email FROM users ORDER BY email');
    expect(rows.map((row) => row.email)).toEqual(['repeats@example.com']);
  });
});
