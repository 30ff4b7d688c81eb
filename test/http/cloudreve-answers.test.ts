import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { patchJson, postJson, requestLink } from '../support/tokens.ts';
import { addUser } from '../support/admin.ts';
import { uncheckedFetch } from '../support/spec-checked.ts';

/**
 * Cloudreve's front end shows `msg` only for an HTTP 200, and Cloudreve answers every
 * request with 200 and its envelope: so does resetd, its own limits included, with the
 * codes and words Cloudreve uses.
 */
const GOOD = 'correct horse battery staple';
const UNKNOWN_SECRET = 'A'.repeat(43);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const big = 'x'.repeat(17 * 1024);

let resetd: TestResetd;
// One request a minute per endpoint and address.
let busy: TestResetd;
// One failed secret per 15 minutes and address.
let strict: TestResetd;

beforeAll(async () => {
  [resetd, busy, strict] = await Promise.all([
    startTestResetd({ RESET_PATH_CLOUDREVE: '/session/reset?id={user}&secret={token}', RATE_LIMIT_RESET_FAILURES: '1000' }),
    startTestResetd({ RATE_LIMIT_IP: '1', RESETD_WORKER: 'off' }),
    startTestResetd({ RATE_LIMIT_RESET_FAILURES: '1', RESETD_WORKER: 'off' }),
  ]);
});
afterAll(() => Promise.all([resetd, busy, strict].map((instance) => instance?.dispose())));

const patch = (instance: TestResetd, id: string, body: unknown) => patchJson(instance, `/api/v4/user/reset/${encodeURIComponent(id)}`, body);

/** Cloudreve's envelope, as its front end reads it. */
interface Envelope {
  code: number;
  msg: string;
  data?: unknown;
  error?: string;
  correlation_id?: string;
}

/** The answer as Cloudreve's front end reads it: HTTP 200, JSON, the envelope. */
async function envelope(response: Response): Promise<Envelope> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return (await response.json()) as Envelope;
}

/** A user, and the id and secret of the link Cloudreve's front end would open. */
async function link(email: string, name?: string): Promise<{ id: string; secret: string }> {
  const id = await addUser(resetd, email, name ? { name } : {});
  const url = await requestLink(resetd, email);
  expect(url.pathname).toBe('/session/reset');
  expect(url.searchParams.get('id')).toBe(id);
  return { id, secret: url.searchParams.get('secret')! };
}

describe('limits answer HTTP 200 with the envelope', () => {
  it('a body over 16 KiB is code 413, on the reset request and on the completion', async () => {
    for (const response of [
      await postJson(resetd, '/api/v4/user/reset', { email: 'someone@example.com', pad: big }),
      await patch(resetd, 'usr_x', { password: big, secret: UNKNOWN_SECRET }),
    ]) {
      expect(await envelope(response)).toEqual({ code: 413, msg: 'Request body too large', correlation_id: expect.stringMatching(UUID) });
    }
  });

  it('over the address limit, the reset request, the CAPTCHA and the completion are code 429 with Retry-After', async () => {
    const requests: Array<() => Promise<Response>> = [
      () => postJson(busy, '/api/v4/user/reset', { email: 'someone@example.com' }),
      () => fetch(`${busy.url}/api/v4/site/captcha`),
      () => patch(busy, 'usr_x', { password: GOOD, secret: UNKNOWN_SECRET }),
    ];
    for (const send of requests) {
      expect((await envelope(await send())).code).not.toBe(429);
      const limited = await send();
      expect(await envelope(limited)).toEqual({ code: 429, msg: 'Too many requests, try again later', correlation_id: expect.stringMatching(UUID) });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('after too many failed secrets the completion is code 429 with Retry-After', async () => {
    expect((await envelope(await patch(strict, 'usr_x', { password: GOOD, secret: UNKNOWN_SECRET }))).code).toBe(40030);
    const limited = await patch(strict, 'usr_x', { password: GOOD, secret: UNKNOWN_SECRET });
    expect(await envelope(limited)).toMatchObject({ code: 429, msg: 'Too many failed attempts, try again later' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('no Cloudreve answer but a path with no route is anything other than HTTP 200; that one is 404, as Cloudreve’s router answers it', async () => {
    const unknown = await uncheckedFetch('a path no operation has; the test checks the answer itself', `${resetd.url}/api/v4/user/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 404 });
  });
});

describe('the completion, PATCH /api/v4/user/reset/{id}', () => {
  it('answers the user in data: the page Cloudreve’s front end opens next reads data.email', async () => {
    const { id, secret } = await link('cloud.named@example.com', 'Cloud Named');
    expect(await envelope(await patch(resetd, id, { password: GOOD, secret }))).toEqual({
      code: 0,
      msg: '',
      data: { id, email: 'cloud.named@example.com', nickname: 'Cloud Named' },
    });
  });

  it('gives a user without a name an empty nickname', async () => {
    const { id, secret } = await link('cloud.nameless@example.com');
    expect((await envelope(await patch(resetd, id, { password: GOOD, secret }))).data).toEqual({ id, email: 'cloud.nameless@example.com', nickname: '' });
  });

  it('answers a wrong, a used and another user’s secret alike, with Cloudreve’s 40030 "Link is expired"', async () => {
    const { id, secret } = await link('cloud.spent@example.com');
    const expired = { code: 40030, msg: 'Link is expired', correlation_id: expect.stringMatching(UUID) };
    expect(await envelope(await patch(resetd, id, { password: GOOD, secret: UNKNOWN_SECRET }))).toEqual(expired);
    expect(await envelope(await patch(resetd, 'usr_someone_else', { password: GOOD, secret }))).toEqual(expired);
    expect((await envelope(await patch(resetd, id, { password: GOOD, secret }))).code).toBe(0);
    expect(await envelope(await patch(resetd, id, { password: `${GOOD}!`, secret }))).toEqual(expired);
  });

  it('names the secret when it is missing or empty', async () => {
    for (const body of [{ password: GOOD }, { password: GOOD, secret: '' }]) {
      expect(await envelope(await patch(resetd, 'usr_x', body))).toMatchObject({ code: 40001, msg: 'Secret cannot be empty' });
    }
  });

  it('names the password when it is missing or empty', async () => {
    for (const body of [{ secret: UNKNOWN_SECRET }, { secret: UNKNOWN_SECRET, password: '' }]) {
      expect(await envelope(await patch(resetd, 'usr_x', body))).toMatchObject({ code: 40001, msg: 'Password cannot be empty' });
    }
  });
});

describe('the reset request, POST /api/v4/user/reset', () => {
  it('says the email is missing, or badly formed, in Cloudreve’s words', async () => {
    expect(await envelope(await postJson(resetd, '/api/v4/user/reset', {}))).toMatchObject({ code: 40001, msg: 'Email cannot be empty' });
    expect(await envelope(await postJson(resetd, '/api/v4/user/reset', { email: 'not an address' }))).toMatchObject({ code: 40001, msg: 'Email format error' });
  });
});
