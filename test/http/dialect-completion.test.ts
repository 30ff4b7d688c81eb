import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { patchJson, postJson, requestLink } from '../support/tokens.ts';
import { addUser, createApiKey } from '../support/admin.ts';

/** The products' own front ends finish the flow against resetd. */
let resetd: TestResetd;
const GOOD = 'correct horse battery staple';

beforeAll(async () => {
  resetd = await startTestResetd({
    RESET_PATH_CLOUDREVE: '/session/reset?id={user}&secret={token}',
    RESET_PATH_UNLEASH: '/reset-password?token={token}',
    RATE_LIMIT_RESET_FAILURES: '1000',
  });
});
afterAll(() => resetd?.dispose());

describe('Unleash', () => {
  const validate = (token: string) => fetch(`${resetd.url}/auth/reset/validate?token=${encodeURIComponent(token)}`);
  const password = (token: string, pw = GOOD) => postJson(resetd, '/auth/reset/password', { token, password: pw });

  it('links to Unleash’s own page when configured, validates, then sets the password once', async () => {
    const id = await addUser(resetd, 'unleash.user@example.com', { name: 'Una' });
    const key = await createApiKey(resetd, 'unleash');
    const url = await requestLink(resetd, 'unleash.user@example.com', { path: '/auth/reset/password-email', headers: { authorization: key } });
    expect(url.origin + url.pathname).toBe('https://reset.example.test/reset-password');
    const token = url.searchParams.get('token')!;

    const checked = await validate(token);
    expect(checked.status).toBe(200);
    // Unleash's tokenUserSchema: its front end reads this shape.
    expect(await checked.json()).toEqual({
      id,
      email: 'unleash.user@example.com',
      name: 'Una',
      token,
      createdBy: 'resetd',
      role: { id: 0, type: 'root', name: 'Unknown', description: expect.any(String) },
    });

    // Its page asks before it enables the button.
    const tooShort = await postJson(resetd, '/auth/reset/validate-password', { password: 'fourteen chars' });
    expect(tooShort.status).toBe(400);
    expect(await tooShort.json()).toMatchObject({
      name: 'OwaspValidationError',
      message: 'Use at least 15 characters.',
      details: [{ message: 'Use at least 15 characters.', validationErrors: ['Use at least 15 characters.'] }],
    });
    const fine = await postJson(resetd, '/auth/reset/validate-password', { password: GOOD });
    expect(fine.status).toBe(200);
    expect(await fine.text()).toBe('');

    const weak = await password(token, 'fourteen chars');
    expect(weak.status).toBe(400);
    expect(await weak.json()).toMatchObject({ name: 'OwaspValidationError', details: [{ message: 'Use at least 15 characters.' }] });

    const done = await password(token);
    expect(done.status).toBe(200);
    expect(await done.text()).toBe('');
    const again = await password(token);
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({ name: 'UsedTokenError', details: [{ message: 'Token was already used' }] });
    expect((await validate(token)).status).toBe(403);
    const unknown = await password('A'.repeat(43));
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ name: 'InvalidTokenError', details: [{ message: 'Token was not valid' }] });
  });

  it('refuses a body that is not JSON with 415', async () => {
    const response = await fetch(`${resetd.url}/auth/reset/password`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(response.status).toBe(415);
  });
});

describe('Cloudreve', () => {
  const patch = (id: string, body: unknown) =>
    patchJson(resetd, `/api/v4/user/reset/${encodeURIComponent(id)}`, body);

  it('links to Cloudreve’s /session/reset with id and secret, and PATCH sets the password once', async () => {
    const id = await addUser(resetd, 'cloud.user@example.com');
    const url = await requestLink(resetd, 'cloud.user@example.com');
    expect(url.pathname).toBe('/session/reset');
    expect(url.searchParams.get('id')).toBe(id);
    const secret = url.searchParams.get('secret')!;

    expect(await (await patch(id, { password: 'fourteen chars', secret })).json()).toMatchObject({ code: 40001, msg: 'Use at least 15 characters.' });
    expect(await (await patch('usr_someone_else', { password: GOOD, secret })).json()).toMatchObject({ code: 40030 });
    expect(await (await patch(id, { password: GOOD, secret })).json()).toEqual({ code: 0, msg: '', data: { id, email: 'cloud.user@example.com', nickname: '' } });
    expect(await (await patch(id, { password: `${GOOD}!`, secret })).json()).toMatchObject({ code: 40030 });
  });

  it('wants both fields', async () => {
    expect(await (await patch('usr_x', { secret: 'x' })).json()).toMatchObject({ code: 40001 });
  });
});

describe('without a configured page', () => {
  it('a dialect’s mail links to resetd’s own page', async () => {
    await addUser(resetd, 'rc.user@example.com');
    const link = await requestLink(resetd, 'rc.user@example.com', { path: '/api/v1/users.forgotPassword' });
    expect(link.href).toMatch(/^https:\/\/reset\.example\.test\/reset\?token=[A-Za-z0-9_-]{43}$/);
  });
});
