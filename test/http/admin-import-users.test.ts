import { request } from 'node:http';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { addUser } from '../support/admin.ts';
import type { TestResetd } from '../support/resetd.ts';
import { ADMIN_TOKEN, startTestResetd } from '../support/resetd.ts';

/** POST /admin/users/import: the CLI's import, streamed over HTTP. */
const running: TestResetd[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.dispose();
});

async function start(env: Record<string, string> = {}) {
  const resetd = await startTestResetd({ RESETD_WORKER: 'off', ...env });
  running.push(resetd);
  return resetd;
}

const BCRYPT = '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW';

const importBody = (resetd: TestResetd, contentType: string | null, body: BodyInit, token = ADMIN_TOKEN) =>
  fetch(`${resetd.url}/admin/users/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(contentType ? { 'content-type': contentType } : {}) },
    body,
    duplex: 'half',
  } as RequestInit);

/** A body sent in pieces with chunked transfer encoding, as a large upload arrives. */
const streamed = (pieces: readonly string[]) => Readable.toWeb(Readable.from(pieces.map((piece) => Buffer.from(piece)))) as ReadableStream;

const usersOf = (resetd: TestResetd) =>
  resetd.database.query<{ email: string; name: string | null; locale: string | null; disabled: number | boolean; password_hash: string | null }>(
    'SELECT email, name, locale, disabled, password_hash FROM users ORDER BY email',
  );

describe('the admin import', () => {
  it('reads a CSV body streamed in chunks, upserts by email and reports refused rows with their line', async () => {
    const resetd = await start();
    await addUser(resetd, 'ada@example.com', { name: 'Old Ada' });
    const response = await importBody(
      resetd,
      'text/csv; charset=utf-8',
      streamed(['email,name,locale,disabled,password_hash\nADA@example.com,Ada,en,fal', `se,${BCRYPT}\nbob@example.com,"Bob\n`, 'B",,,\nnot an address,X,,,\n', 'cy@example.com,Cy,,yes,\n']),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      added: 1,
      updated: 1,
      unchanged: 0,
      refused: 2,
      refusals: [
        { line: 3, reason: 'name must not contain control characters' },
        { line: 5, reason: 'email is malformed' },
      ],
    });
    const users = await usersOf(resetd);
    expect(users.map((u) => [u.email, u.name, u.locale, Boolean(u.disabled), u.password_hash])).toEqual([
      ['ADA@example.com', 'Ada', 'en', false, BCRYPT],
      ['cy@example.com', 'Cy', null, true, null],
    ]);
  });

  it('reads JSON Lines, and the same body again is all unchanged', async () => {
    const resetd = await start();
    const body = `{"email":"ada@example.com","name":"Ada","disabled":false,"password_hash":"${BCRYPT}"}\n\n{"email":"bob@example.com","locale":"pt-BR"}\n{"email":"cut@exa`;
    const first = await importBody(resetd, 'application/x-ndjson', body);
    expect(await first.json()).toEqual({ added: 2, updated: 0, unchanged: 0, refused: 1, refusals: [{ line: 4, reason: 'the file ends in the middle of this line (was it cut short?)' }] });
    const again = await importBody(resetd, 'application/x-ndjson', streamed([body]));
    expect(await again.json()).toMatchObject({ added: 0, updated: 0, unchanged: 2, refused: 1 });
  });

  it('a header without an email column refuses the whole file with 400 and imports nothing', async () => {
    const resetd = await start();
    const response = await importBody(resetd, 'text/csv', 'name,locale\nAda,en\n');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { detail: string }).detail).toMatch(/no email column/);
    expect(await usersOf(resetd)).toEqual([]);
  });

  it('a body declared over 1 GiB is refused with 413 before it is read', async () => {
    const resetd = await start();
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${resetd.url}/admin/users/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/csv', 'content-length': String(2 * 1024 ** 3) },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.write('email\nada@example.com\n');
    });
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ status: 413, detail: expect.stringMatching(/1 GiB/) });
    expect(await usersOf(resetd)).toEqual([]);
  });

  it('another content type is 415, a wrong token 401, and accounts in the application 409', async () => {
    const resetd = await start();
    expect((await importBody(resetd, 'application/json', '{"email":"ada@example.com"}')).status).toBe(415);
    expect((await importBody(resetd, null, '')).status).toBe(415);
    expect((await importBody(resetd, 'text/csv', 'email\nada@example.com\n', 'wrong-token-0123456789')).status).toBe(401);
    expect(await usersOf(resetd)).toEqual([]);

    const elsewhere = await start({ DIRECTORY: 'http', DIRECTORY_URL: 'http://127.0.0.1:9/accounts', DIRECTORY_SECRET: 'a-long-enough-directory-secret-0123456789' });
    const refused = await importBody(elsewhere, 'text/csv', 'email\nada@example.com\n');
    expect(refused.status).toBe(409);
    expect(await usersOf(elsewhere)).toEqual([]);
  });
});
