import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { ADMIN_TOKEN, startTestResetd } from '../support/resetd.ts';
import { uncheckedFetch } from '../support/spec-checked.ts';

/** Paths no operation serves are answered in the shape of the product that owns the prefix. */
let resetd: TestResetd;
beforeAll(async () => {
  resetd = await startTestResetd({ RESETD_WORKER: 'off' });
});
afterAll(() => resetd?.dispose());

/** A path (or method) no operation of the spec has: the spec cannot list it, these tests check the owner's shape. */
const get = async (path: string, method = 'GET') => {
  const response = await uncheckedFetch('a path no operation has; the test checks the shape itself', `${resetd.url}${path}`, { method });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
};

describe('unknown routes', () => {
  it('under Rocket.Chat’s API root answer in Rocket.Chat’s shape', async () => {
    expect(await get('/api/v1/users.nothing')).toMatchObject({ status: 404, body: { success: false, error: 'Resource not found' } });
  });

  it('under Cloudreve’s API root answer in its envelope', async () => {
    const { status, body } = await get('/api/v4/nothing', 'POST');
    expect(status).toBe(404);
    expect(body).toMatchObject({ code: 404, msg: 'Not found' });
    expect(body.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('under Unleash’s /auth/reset answer as Unleash, the rest of /auth as maiascore', async () => {
    expect((await get('/auth/reset/nothing')).body).toMatchObject({ name: 'NotFoundError' });
    expect((await get('/auth/nothing')).body).toEqual({ code: 404, message: 'Error - Not Found' });
  });

  it('under QuickBlox’s /users answer 404 with a null body', async () => {
    expect(await get('/users/nothing.json')).toMatchObject({ status: 404, body: null });
  });

  it('anywhere else answer as problem details', async () => {
    const response = await get('/nothing');
    expect(response.status).toBe(404);
    expect(response.type).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('a known path with another method is not found in the owner’s shape', async () => {
    expect(await get('/api/v1/users.forgotPassword')).toMatchObject({ status: 404, body: { success: false } });
  });
});

describe('malformed bodies', () => {
  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${resetd.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, body: await response.json() };
  };

  it('are refused in each dialect’s shape, never with a stack trace', async () => {
    expect(await post('/api/v1/users.forgotPassword', '{"email":')).toMatchObject({ status: 400, body: { success: false } });
    expect(await post('/api/v4/user/reset', '{"email":')).toMatchObject({ status: 200, body: { code: 40001 } });
    expect(await post('/admin/users', '{', { authorization: `Bearer ${ADMIN_TOKEN}` })).toMatchObject({ status: 400, body: { title: 'Bad Request' } });
  });

  it('a JSON value that is not an object is refused', async () => {
    expect(await post('/api/v1/users.forgotPassword', '"email@rocket.cat"')).toMatchObject({ status: 400 });
    expect(await post('/api/v1/users.forgotPassword', '{"email":["a@x.co","b@x.co"]}')).toMatchObject({ status: 400 });
    expect(await post('/api/v1/users.forgotPassword', '{"email":null}')).toMatchObject({ status: 400 });
  });
});
