import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeys } from '../support/admin.ts';
import { seed } from '../support/admin.ts';
import { checkResponse } from '../support/contract.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';

/**
 * The contract checker cannot pass a wrong answer: real answers of a real resetd (each
 * dialect's 429, and the other answers whose headers the spec requires) pass it, and each
 * of them with one required header removed or garbled, one required field dropped, or
 * maiascore's `code` differing from the status, is refused.
 */

const KNOWN = 'known@example.com';
const TOKEN = 'A'.repeat(43);
const GOOD = 'correct horse battery staple';
let busy: TestResetd;
let limited: TestResetd;
let main: TestResetd;
let keys: ApiKeys;
let mainKeys: ApiKeys;

beforeAll(async () => {
  // One request a minute per endpoint and address: the second is refused.
  busy = await startTestResetd({ RATE_LIMIT_IP: '1', RESETD_WORKER: 'off' });
  keys = await seed(busy, []);
  // One failed token check per 15 minutes and address: the second is refused.
  limited = await startTestResetd({ RATE_LIMIT_RESET_FAILURES: '1', RESETD_WORKER: 'off' });
  main = await startTestResetd({ RESETD_WORKER: 'off' });
  mainKeys = await seed(main, []);
});

afterAll(async () => {
  await Promise.all([busy, limited, main].map((instance) => instance?.dispose()));
});

interface Answer {
  method: string;
  path: string;
  status: number;
  headers: Headers;
  text: string;
}

const json = (body: unknown, headers: Record<string, string> = {}, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

async function answer(instance: TestResetd, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${instance.url}${path}`, init);
  return { method: init.method ?? 'GET', path: new URL(path, 'http://x').pathname, status: response.status, headers: response.headers, text: await response.text() };
}

/** The second of two requests, on the instance that allows one. */
async function overTheLimit(instance: TestResetd, path: string, init: () => RequestInit = () => ({})): Promise<Answer> {
  await answer(instance, path, init());
  return answer(instance, path, init());
}

interface Case {
  name: string;
  get: () => Promise<Answer>;
  status: number;
  /** Headers the spec must require on this answer. */
  headers: string[];
  /** Top-level body fields the spec must require. */
  fields: string[];
  /** Other wrong versions of the body. */
  bodies?: (body: { code: number }) => unknown[];
}

const rc = '/api/v1/users.forgotPassword';
const maia = '/auth/forgot-password';
const qb = `/users/password/reset.json?email=${encodeURIComponent(KNOWN)}`;
const cloud = '/api/v4/user/reset';
/** maiascore's body with each other status it answers as `code`. */
const otherCodes = (body: { code: number }) => [200, 400, 403, 404, 413, 415, 429, 500].filter((code) => code !== body.code).map((code) => ({ ...body, code }));

const cases: Case[] = [
  { name: "Rocket.Chat's 429", get: () => overTheLimit(busy, rc, () => json({ email: KNOWN })), status: 429, headers: ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'], fields: ['success', 'error'] },
  { name: "maiascore's 429", get: () => overTheLimit(busy, maia, () => json({ id: KNOWN }, { authorization: `Bearer ${keys.maiascore}` })), status: 429, headers: ['Retry-After'], fields: ['code', 'message'], bodies: otherCodes },
  { name: "maiascore's 200", get: () => answer(main, maia, json({ id: KNOWN }, { authorization: `Bearer ${mainKeys.maiascore}` })), status: 200, headers: [], fields: ['code', 'message'], bodies: otherCodes },
  { name: "maiascore's 403", get: () => answer(main, maia, json({ id: KNOWN })), status: 403, headers: [], fields: ['code', 'message'], bodies: otherCodes },
  { name: "maiascore's 413", get: () => answer(main, maia, json({ id: KNOWN, pad: 'x'.repeat(17 * 1024) }, { authorization: `Bearer ${mainKeys.maiascore}` })), status: 413, headers: [], fields: ['code', 'message'], bodies: otherCodes },
  { name: "Unleash's 429", get: () => overTheLimit(busy, '/auth/reset/password-email', () => json({ email: KNOWN }, { authorization: keys.unleash })), status: 429, headers: ['Retry-After'], fields: ['id', 'name', 'message', 'details'] },
  { name: "Unleash's 429 of a token check", get: () => overTheLimit(limited, `/auth/reset/validate?token=${TOKEN}`), status: 429, headers: ['Retry-After'], fields: ['id', 'name', 'message', 'details'] },
  { name: "QuickBlox's 429", get: () => overTheLimit(busy, qb, () => ({ headers: { 'QB-Token': keys.quickblox } })), status: 429, headers: ['Retry-After'], fields: ['errors'] },
  { name: "Cloudreve's code 429", get: () => overTheLimit(busy, cloud, () => json({ email: KNOWN })), status: 200, headers: ['Retry-After'], fields: ['code'] },
  { name: "Cloudreve's captcha with code 429", get: () => overTheLimit(busy, '/api/v4/site/captcha'), status: 200, headers: ['Retry-After'], fields: ['code'] },
  { name: "Cloudreve's completion with code 429", get: () => overTheLimit(limited, `${cloud}/usr_x`, () => json({ password: GOOD, secret: TOKEN }, {}, 'PATCH')), status: 200, headers: ['Retry-After'], fields: ['code'] },
  { name: "resetd's 429", get: () => overTheLimit(limited, '/api/reset/validate', () => json({ token: TOKEN })), status: 429, headers: ['Retry-After'], fields: ['type', 'title', 'status'] },
  { name: "the reset page's 429", get: () => overTheLimit(limited, `/reset?token=${TOKEN}`), status: 429, headers: ['Retry-After', 'Content-Security-Policy', 'Referrer-Policy', 'Cache-Control'], fields: [] },
  { name: "the reset page's 429 to HEAD", get: () => overTheLimit(limited, `/reset?token=${TOKEN}`, () => ({ method: 'HEAD' })), status: 429, headers: ['Retry-After', 'Content-Security-Policy', 'Referrer-Policy', 'Cache-Control'], fields: [] },
  { name: 'the reset page', get: () => answer(main, '/reset'), status: 200, headers: ['Content-Security-Policy', 'Referrer-Policy', 'Cache-Control'], fields: [] },
  { name: 'the docs page', get: () => answer(main, '/docs'), status: 200, headers: ['ETag', 'Cache-Control'], fields: [] },
  {
    name: "the docs page's 304",
    get: async () => {
      const etag = (await fetch(`${main.url}/docs`)).headers.get('etag')!;
      return answer(main, '/docs', { headers: { 'if-none-match': etag } });
    },
    status: 304,
    headers: ['ETag'],
    fields: [],
  },
];

const check = (a: Answer, headers = a.headers, text = a.text) => checkResponse(a.method, a.path, a.status, headers, text);

function without(headers: Headers, name: string): Headers {
  const copy = new Headers(headers);
  copy.delete(name);
  return copy;
}

function replaced(headers: Headers, name: string, value: string): Headers {
  const copy = new Headers(headers);
  copy.set(name, value);
  return copy;
}

describe('the contract checker refuses every mutant of a real answer', () => {
  for (const c of cases) {
    describe(c.name, () => {
      let real: Answer;
      beforeAll(async () => {
        real = await c.get();
      });

      it(`is ${c.status} and passes as it is`, () => {
        expect(real.status).toBe(c.status);
        expect(() => check(real)).not.toThrow();
      });

      for (const header of c.headers) {
        it(`without ${header}: refused`, () => {
          expect(real.headers.has(header)).toBe(true);
          expect(() => check(real, without(real.headers, header))).toThrow(new RegExp(`lacks the header ${header}`));
        });
        it(`with ${header} garbled: refused`, () => {
          expect(() => check(real, replaced(real.headers, header, 'soon, perhaps'))).toThrow(/does not match the spec/);
        });
      }

      for (const field of c.fields) {
        it(`without the body's ${field}: refused`, () => {
          const body = JSON.parse(real.text);
          expect(body).toHaveProperty(field);
          delete body[field];
          expect(() => check(real, real.headers, JSON.stringify(body))).toThrow(/does not match the spec/);
        });
      }

      if (c.bodies) {
        it('with another code than its status: refused', () => {
          const mutants = c.bodies!(JSON.parse(real.text));
          expect(mutants.length).toBeGreaterThan(0);
          for (const mutant of mutants) expect(() => check(real, real.headers, JSON.stringify(mutant)), JSON.stringify(mutant)).toThrow(/does not match the spec/);
        });
      }
    });
  }
});
