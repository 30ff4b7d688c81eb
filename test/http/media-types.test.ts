import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { seed } from '../support/admin.ts';

/** Media types compare as RFC 9110 says: any case, spaces and parameters around them, in every dialect. */
let resetd: TestResetd;
let keys: Awaited<ReturnType<typeof seed>>;

beforeAll(async () => {
  resetd = await startTestResetd({});
  keys = await seed(resetd, []);
});
afterAll(() => resetd?.dispose());

const post = (path: string, contentType: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${resetd.url}${path}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });

const JSON_TYPES = ['Application/JSON', 'APPLICATION/JSON; CHARSET=UTF-8', 'application/json ; charset=utf-8', 'application/json;charset=UTF-8'];

it.each(JSON_TYPES)('%s is JSON to every dialect that takes JSON', async (type) => {
  const email = JSON.stringify({ email: 'media@example.com' });
  expect((await post('/api/v1/users.forgotPassword', type, email)).status).toBe(200);
  expect((await post('/auth/reset/password-email', type, email, { authorization: keys.unleash })).status).toBe(200);
  expect((await post('/api/v4/user/reset', type, email)).status).toBe(200);
  expect((await post('/auth/forgot-password', type, JSON.stringify({ id: 'media@example.com' }), { authorization: `Bearer ${keys.maiascore}` })).status).toBe(200);
  expect((await post('/api/reset/validate', type, JSON.stringify({ token: 'A'.repeat(43) }))).status).toBe(404);
});

it('maiascore’s XML and form bodies in any case', async () => {
  const bearer = { authorization: `Bearer ${keys.maiascore}` };
  expect((await post('/auth/forgot-password', 'Application/XML', '<item><id>media@example.com</id></item>', bearer)).status).toBe(200);
  expect((await post('/auth/forgot-password', 'Application/X-WWW-Form-URLEncoded ; Charset=UTF-8', 'id=media%40example.com', bearer)).status).toBe(200);
});

it('a type the operation does not take is still refused', async () => {
  expect((await post('/auth/reset/password-email', 'Text/Plain', '{"email":"media@example.com"}', { authorization: keys.unleash })).status).toBe(415);
});
