import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckedResponse } from '../support/contract.ts';
import { contractFetch, documentedResponses, exercised } from '../support/contract.ts';
import type { TestResetd } from '../support/resetd.ts';
import { ADMIN_TOKEN, startTestResetd } from '../support/resetd.ts';
import { requestLink } from '../support/tokens.ts';
import { until } from '../support/waiting.ts';
import type { DirectoryReceiver } from '../support/directory-receiver.ts';
import { startDirectoryReceiver } from '../support/directory-receiver.ts';
import { addUser, createApiKey, seed } from '../support/admin.ts';

/**
 * Every operation × every status its spec documents, over real HTTP, each response
 * checked against generated/openapi.yaml. The last test fails if a documented status was
 * never produced here.
 */

type Instance = 'main' | 'off' | 'broken' | 'limited' | 'busy' | 'directory';
const instances = {} as Record<Instance, TestResetd>;
// API keys made for resetd's own verify, per instance.
const verifyKeys = {} as Partial<Record<Instance, string>>;
const VERIFIED = 'verified@example.com';
const verifyPath = '/api/auth/verify';
const keys = {} as Record<Instance, Awaited<ReturnType<typeof seed>>>;
const KNOWN = 'known@example.com';
const COMPLETER = 'completer@example.com';
const UNKNOWN_TOKEN = 'A'.repeat(43);
const GOOD = 'correct horse battery staple';
// The application behind the http directory refuses one password and is down for another.
const REFUSED = 'the application refuses this one';
const DOWN = 'the application is down for this one';
const DIRECTORY_SECRET = 'contract-directory-secret';
const METRICS_TOKEN = 'contract-metrics-token';
let receiver: DirectoryReceiver;
let docsEtag = '';

beforeAll(async () => {
  instances.main = await startTestResetd({ RATE_LIMIT_RESET_FAILURES: '1000', METRICS_TOKEN });
  keys.main = await seed(instances.main, [KNOWN, COMPLETER]);
  await addUser(instances.main, VERIFIED, { password: GOOD });
  verifyKeys.main = await createApiKey(instances.main, 'resetd');
  // One failed token check per 15 minutes and address: the second is refused.
  instances.limited = await startTestResetd({ RATE_LIMIT_RESET_FAILURES: '1', RATE_LIMIT_ADMIN_FAILURES: '1', RESETD_WORKER: 'off' });
  await fetch(`${instances.limited.url}/api/reset/validate`, json({ token: UNKNOWN_TOKEN }));
  await fetch(`${instances.limited.url}/admin/users`, json({ email: 'x@example.com' }, bearer('wrong-token')));
  // Failed password checks for one account, up to RATE_LIMIT_VERIFY_FAILURES (10 by default): the next is refused.
  verifyKeys.limited = await createApiKey(instances.limited, 'resetd');
  for (let i = 0; i < 10; i++) await fetch(`${instances.limited.url}${verifyPath}`, json({ email: VERIFIED, password: `guess ${i}` }, bearer(verifyKeys.limited)));
  // One request a minute per endpoint and address: each first request uses it up.
  instances.busy = await startTestResetd({ RATE_LIMIT_IP: '1', RESETD_WORKER: 'off' });
  keys.busy = await seed(instances.busy, []);
  for (const [path, init] of [
    [rc, json({ email: KNOWN })],
    [maia, json({ id: KNOWN }, bearer(keys.busy.maiascore))],
    [unleash, json({ email: KNOWN }, { authorization: keys.busy.unleash })],
    [cloud, json({ email: KNOWN })],
    [qb(KNOWN), { headers: { 'QB-Token': keys.busy.quickblox } }],
    ['/reset/request', form({ email: KNOWN })],
    ['/api/v4/site/captcha', {}],
    ['/auth/reset/validate-password', json({ password: GOOD })],
    ['/api/v4/user/reset/usr_x', patch({ password: GOOD, secret: UNKNOWN_TOKEN })],
  ] as const) {
    await fetch(`${instances.busy.url}${path}`, init);
  }
  // Only Cloudreve on, no admin token, SMTP configured (so no dev mailbox), no worker.
  instances.off = await startTestResetd({
    RESETD_DIALECTS: 'cloudreve',
    RESETD_ADMIN_TOKEN: '',
    SMTP_URL: 'smtp://127.0.0.1:9',
    RESETD_WORKER: 'off',
  });
  // Accounts in the application, reached through signed callbacks.
  receiver = await startDirectoryReceiver(DIRECTORY_SECRET);
  receiver.answer = ({ payload }) => {
    if (payload.action === 'find') return payload.identifier === COMPLETER ? { status: 200, json: { id: 'app-7', email: COMPLETER } } : { status: 404 };
    if (payload.password === REFUSED) return { status: 422, json: { reasons: ['You used this password before.'] } };
    return payload.password === DOWN ? { status: 503 } : { status: 204 };
  };
  instances.directory = await startTestResetd({ DIRECTORY: 'http', DIRECTORY_URL: receiver.url, DIRECTORY_SECRET, RATE_LIMIT_RESET_FAILURES: '1000' });
  verifyKeys.directory = await createApiKey(instances.directory, 'resetd');
  // A store that has gone away after start.
  instances.broken = await startTestResetd({ RESETD_WORKER: 'off' });
  keys.broken = await seed(instances.broken, [KNOWN]);
  verifyKeys.broken = await createApiKey(instances.broken, 'resetd');
  await instances.broken.store.close();
});

afterAll(async () => {
  await Promise.all(Object.values(instances).map((instance) => instance?.dispose()));
  await receiver?.close();
});

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const raw = (body: string, contentType: string | null, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { ...(contentType && { 'content-type': contentType }), ...headers },
  body,
});
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
/** Any method, with a JSON body when one is given. */
const send = (method: string, body?: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
  body: body === undefined ? undefined : JSON.stringify(body),
});
/** A new user of the instance, as its admin path. */
const someUser = async (instance: TestResetd) => `/admin/users/${await addUser(instance, `someone-${Math.random().toString(36).slice(2)}@example.com`)}`;
const admin = bearer(ADMIN_TOKEN);
const big = 'x'.repeat(17 * 1024);

/** What a case prepares before its request: a fresh token of COMPLETER, a spent one. */
interface Vars {
  token: string;
  user: string;
}

interface Case {
  name: string;
  on?: Instance;
  prepare?: 'fresh-token' | 'spent-token';
  path: string | ((instance: TestResetd, vars: Vars) => Promise<string> | string);
  init?: RequestInit | ((k: Record<string, string>, vars: Vars) => RequestInit);
  status: number;
  check?: (response: CheckedResponse) => void;
}

async function prepare(instance: TestResetd, what: Case['prepare']): Promise<Vars> {
  if (!what) return { token: '', user: '' };
  const link = new URL(await requestLink(instance, COMPLETER));
  const token = link.searchParams.get('token')!;
  const user = (await validateUser(instance, token)) ?? '';
  if (what === 'spent-token') {
    const done = await fetch(`${instance.url}/api/reset/complete`, json({ token, password: `${GOOD} ${Math.random()}` }));
    if (done.status !== 200) throw new Error(`spending a token: ${done.status}`);
  }
  return { token, user };
}

/** The user a token belongs to, through Unleash's validate (its answer names the id). */
async function validateUser(instance: TestResetd, token: string): Promise<string | undefined> {
  const response = await fetch(`${instance.url}/auth/reset/validate?token=${token}`);
  return response.ok ? ((await response.json()) as { id: string }).id : undefined;
}

const form = (fields: Record<string, string>): RequestInit => raw(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
const patch = (body: unknown): RequestInit => ({ ...json(body), method: 'PATCH' });
const isPage = (r: CheckedResponse) => {
  expect(r.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  expect(r.headers.get('referrer-policy')).toBe('no-referrer');
  expect(r.headers.get('cache-control')).toBe('no-store');
};

const rc = '/api/v1/users.forgotPassword';
const maia = '/auth/forgot-password';
const unleash = '/auth/reset/password-email';
const cloud = '/api/v4/user/reset';
const qb = (email: string) => `/users/password/reset.json?email=${encodeURIComponent(email)}`;

const cases: Case[] = [
  // Rocket.Chat
  { name: 'rocketchat accepts an address', path: rc, init: json({ email: KNOWN }), status: 200, check: (r) => expect(r.json).toEqual({ success: true, status: 'success' }) },
  { name: 'rocketchat wants the email param', path: rc, init: json({}), status: 400, check: (r) => expect(r.json).toEqual({ success: false, error: "The 'email' param is required" }) },
  { name: 'rocketchat switched off', on: 'off', path: rc, init: json({ email: KNOWN }), status: 400, check: (r) => expect(r.json.error).toBe('Password reset is not enabled') },
  { name: 'rocketchat refuses a large body', path: rc, init: json({ email: KNOWN, pad: big }), status: 413 },
  { name: 'rocketchat over the address limit', on: 'busy', path: rc, init: json({ email: KNOWN }), status: 429, check: (r) => { expect(r.json.error).toMatch(/^Error, too many requests\. .* \[error-too-many-requests\]$/); expect(r.headers.get('x-ratelimit-limit')).toBe('1'); expect(r.headers.get('x-ratelimit-remaining')).toBe('0'); expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0); } },
  { name: 'rocketchat store down', on: 'broken', path: rc, init: json({ email: KNOWN }), status: 500, check: (r) => expect(r.json.success).toBe(false) },
  // maiascore
  { name: 'maiascore JSON', path: maia, init: (k) => json({ id: KNOWN }, bearer(k.maiascore!)), status: 200, check: (r) => expect(r.json).toEqual({ code: 200, message: 'OK' }) },
  { name: 'maiascore XML', path: maia, init: (k) => raw(`<?xml version="1.0" encoding="utf-8"?>\n<item>\n  <id>${KNOWN}</id>\n</item>`, 'application/xml', bearer(k.maiascore!)), status: 200 },
  { name: "maiascore as its own documented curl sends it (JSON under the form type)", path: maia, init: (k) => raw('{"id":"string"}', 'application/x-www-form-urlencoded', bearer(k.maiascore!)), status: 200, check: (r) => expect(r.json).toEqual({ code: 200, message: 'OK' }) },
  { name: 'maiascore form', path: maia, init: (k) => raw(`id=${encodeURIComponent(KNOWN)}`, 'application/x-www-form-urlencoded', bearer(k.maiascore!)), status: 200 },
  { name: 'maiascore without a token', path: maia, init: json({ id: KNOWN }), status: 403, check: (r) => expect(r.json).toEqual({ code: 403, message: 'Error - Forbidden' }) },
  { name: "maiascore with another dialect's key", path: maia, init: (k) => json({ id: KNOWN }, bearer(k.unleash!)), status: 403 },
  { name: 'maiascore switched off', on: 'off', path: maia, init: json({ id: KNOWN }, bearer('whatever')), status: 404 },
  { name: 'maiascore XML with a DTD', path: maia, init: (k) => raw('<?xml version="1.0"?><!DOCTYPE item [<!ENTITY x SYSTEM "file:///etc/passwd">]><item><id>&x;</id></item>', 'application/xml', bearer(k.maiascore!)), status: 400, check: (r) => expect(r.json.code).toBe(400) },
  { name: 'maiascore plain text', path: maia, init: (k) => raw('id=x', 'text/plain', bearer(k.maiascore!)), status: 415 },
  { name: 'maiascore refuses a large body', path: maia, init: (k) => json({ id: KNOWN, pad: big }, bearer(k.maiascore!)), status: 413, check: (r) => expect(r.json).toEqual({ code: 413, message: 'Error - Payload Too Large' }) },
  { name: 'maiascore over the address limit', on: 'busy', path: maia, init: (k) => json({ id: KNOWN }, bearer(k.maiascore!)), status: 429, check: (r) => expect(r.json).toEqual({ code: 429, message: 'Error - Too Many Requests' }) },
  { name: 'maiascore store down', on: 'broken', path: maia, init: (k) => json({ id: KNOWN }, bearer(k.maiascore!)), status: 500 },
  // Unleash
  { name: 'unleash accepts an address', path: unleash, init: (k) => json({ email: KNOWN }, { authorization: k.unleash! }), status: 200, check: (r) => expect(r.json).toEqual({}) },
  { name: 'unleash wants email', path: unleash, init: (k) => json({}, { authorization: k.unleash! }), status: 400, check: (r) => expect(r.json.name).toBe('BadDataError') },
  { name: 'unleash refuses extra fields', path: unleash, init: (k) => json({ email: KNOWN, admin: true }, { authorization: k.unleash! }), status: 400 },
  { name: 'unleash without a token', path: unleash, init: json({ email: KNOWN }), status: 401, check: (r) => expect(r.json.name).toBe('AuthenticationRequired') },
  { name: 'unleash with a wrong token', path: unleash, init: json({ email: KNOWN }, { authorization: 'rsd_unleash_wrong' }), status: 401, check: (r) => expect(r.json.name).toBe('UnauthorizedError') },
  { name: 'unleash switched off', on: 'off', path: unleash, init: json({ email: KNOWN }, { authorization: 'x' }), status: 404 },
  { name: 'unleash refuses a large body', path: unleash, init: (k) => json({ email: KNOWN, pad: big }, { authorization: k.unleash! }), status: 413 },
  { name: 'unleash refuses a form', path: unleash, init: (k) => raw('email=a%40b.co', 'application/x-www-form-urlencoded', { authorization: k.unleash! }), status: 415, check: (r) => expect(r.json.name).toBe('ContentTypeError') },
  { name: 'unleash refuses no content type', path: unleash, init: (k) => raw('', null, { authorization: k.unleash! }), status: 415 },
  { name: 'unleash over the address limit', on: 'busy', path: unleash, init: (k) => json({ email: KNOWN }, { authorization: k.unleash! }), status: 429, check: (r) => expect(r.json.name).toBe('TooManyRequestsError') },
  { name: 'unleash store down', on: 'broken', path: unleash, init: (k) => json({ email: KNOWN }, { authorization: k.unleash! }), status: 500 },
  // Cloudreve
  { name: 'cloudreve accepts an address with front-end extras', path: cloud, init: json({ email: KNOWN, captcha: '', ticket: '', language: 'en-US', randstr: 'r' }), status: 200, check: (r) => expect(r.json).toEqual({ code: 0, msg: '' }) },
  { name: 'cloudreve wants email', path: cloud, init: json({}), status: 200, check: (r) => expect(r.json).toMatchObject({ code: 40001, msg: 'Email cannot be empty' }) },
  { name: 'cloudreve refuses a malformed email', path: cloud, init: json({ email: 'not an address' }), status: 200, check: (r) => expect(r.json).toMatchObject({ code: 40001, msg: 'Email format error' }) },
  { name: 'cloudreve refuses a large body with code 413', path: cloud, init: json({ email: KNOWN, pad: big }), status: 200, check: (r) => expect(r.json).toMatchObject({ code: 413, msg: 'Request body too large' }) },
  { name: 'cloudreve over the address limit with code 429', on: 'busy', path: cloud, init: json({ email: KNOWN }), status: 200, check: (r) => { expect(r.json).toMatchObject({ code: 429 }); expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0); } },
  { name: 'cloudreve store down', on: 'broken', path: cloud, init: json({ email: KNOWN }), status: 200, check: (r) => expect(r.json.code).toBe(50001) },
  { name: 'cloudreve captcha', path: '/api/v4/site/captcha', status: 200, check: (r) => expect(r.json.data.image).toMatch(/^data:image\/svg\+xml;base64,/) },
  { name: 'cloudreve captcha over the address limit with code 429', on: 'busy', path: '/api/v4/site/captcha', status: 200, check: (r) => { expect(r.json).toMatchObject({ code: 429 }); expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0); } },
  // QuickBlox
  { name: 'quickblox with QB-Token', path: qb(KNOWN), init: (k) => ({ headers: { 'QB-Token': k.quickblox! } }), status: 200, check: (r) => expect(r.text).toBe('') },
  { name: 'quickblox as its JS SDK sends it', path: qb(KNOWN), init: (k) => ({ headers: { 'QB-Token': k.quickblox!, 'QB-OS': 'web', 'QB-SDK': 'JS 2.15.0', 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } }), status: 200 },
  { name: 'quickblox with Authorization: ApiKey', path: qb(KNOWN), init: (k) => ({ headers: { authorization: `ApiKey ${k.quickblox}` } }), status: 200 },
  { name: 'quickblox without credentials', path: qb(KNOWN), status: 401, check: (r) => expect(r.json.errors.base).toHaveLength(1) },
  { name: 'quickblox switched off', on: 'off', path: qb(KNOWN), init: { headers: { 'QB-Token': 'x' } }, status: 404, check: (r) => expect(r.json).toBeNull() },
  { name: 'quickblox refuses a malformed address', path: qb('not an address'), init: (k) => ({ headers: { 'QB-Token': k.quickblox! } }), status: 422, check: (r) => expect(r.json).toEqual({ errors: { email: ['is invalid'] } }) },
  { name: 'quickblox refuses a repeated email', path: `${qb('a@example.com')}&email=b%40example.com`, init: (k) => ({ headers: { 'QB-Token': k.quickblox! } }), status: 422 },
  { name: 'quickblox over the address limit', on: 'busy', path: qb(KNOWN), init: (k) => ({ headers: { 'QB-Token': k.quickblox! } }), status: 429 },
  { name: 'quickblox store down', on: 'broken', path: qb(KNOWN), init: (k) => ({ headers: { 'QB-Token': k.quickblox! } }), status: 500 },
  // resetd
  { name: 'health', path: '/healthz', status: 200, check: (r) => expect(r.json).toEqual({ status: 'ok' }) },
  { name: 'health refuses a non-JSON Accept', path: '/healthz', init: { headers: { accept: 'text/html' } }, status: 406 },
  { name: 'health with the store down: the process still answers', on: 'broken', path: '/healthz', status: 200, check: (r) => expect(r.json).toEqual({ status: 'ok' }) },
  { name: 'health HEAD', path: '/healthz', init: { method: 'HEAD' }, status: 200, check: (r) => expect(r.text).toBe('') },
  { name: 'health HEAD refuses a non-JSON Accept', path: '/healthz', init: { method: 'HEAD', headers: { accept: 'text/html' } }, status: 406 },
  { name: 'ready', path: '/readyz', status: 200, check: (r) => expect(r.json).toEqual({ status: 'ready', checks: { store: 'ok', directory: 'ok' } }) },
  { name: 'ready refuses a non-JSON Accept', path: '/readyz', init: { headers: { accept: 'text/html' } }, status: 406 },
  { name: 'ready with the store down names it', on: 'broken', path: '/readyz', status: 503, check: (r) => expect(r.json).toEqual({ status: 'unavailable', checks: { store: 'down', directory: 'down' } }) },
  { name: 'ready HEAD', path: '/readyz', init: { method: 'HEAD' }, status: 200, check: (r) => expect(r.text).toBe('') },
  { name: 'ready HEAD refuses a non-JSON Accept', path: '/readyz', init: { method: 'HEAD', headers: { accept: 'text/html' } }, status: 406 },
  { name: 'ready HEAD with the store down', on: 'broken', path: '/readyz', init: { method: 'HEAD' }, status: 503 },
  { name: 'metrics with the token', path: '/metrics', init: { headers: bearer(METRICS_TOKEN) }, status: 200, check: (r) => { expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8'); expect(r.text).toMatch(/^resetd_http_requests_total\{/m); } },
  { name: 'metrics without a token', path: '/metrics', status: 401, check: (r) => expect(r.json.status).toBe(401) },
  { name: 'metrics with a wrong token', path: '/metrics', init: { headers: bearer(`${METRICS_TOKEN}x`) }, status: 401 },
  { name: 'metrics off without METRICS_TOKEN', on: 'off', path: '/metrics', init: { headers: bearer(METRICS_TOKEN) }, status: 404 },
  { name: 'metrics HEAD with the token', path: '/metrics', init: { method: 'HEAD', headers: bearer(METRICS_TOKEN) }, status: 200, check: (r) => expect(r.text).toBe('') },
  { name: 'metrics HEAD without a token', path: '/metrics', init: { method: 'HEAD' }, status: 401 },
  { name: 'metrics HEAD off without METRICS_TOKEN', on: 'off', path: '/metrics', init: { method: 'HEAD', headers: bearer(METRICS_TOKEN) }, status: 404 },
  { name: 'docs', path: '/docs', status: 200, check: (r) => expect(r.text).toContain('resetd') },
  {
    name: 'docs the client already has',
    path: async (i) => {
      docsEtag = (await fetch(`${i.url}/docs`)).headers.get('etag') ?? '';
      return '/docs';
    },
    init: () => ({ headers: { 'if-none-match': docsEtag } }),
    status: 304,
    check: (r) => expect(r.text).toBe(''),
  },
  { name: 'docs refuse a JSON-only Accept', path: '/docs', init: { headers: { accept: 'application/json' } }, status: 406 },
  { name: 'admin adds a user', path: '/admin/users', init: json({ email: 'new@example.com', name: 'New', locale: 'de' }, admin), status: 201 },
  { name: 'admin refuses a bad email', path: '/admin/users', init: json({ email: 'nope' }, admin), status: 400 },
  { name: 'admin refuses a weak password', path: '/admin/users', init: json({ email: 'weak@example.com', password: 'a' }, admin), status: 422, check: (r) => expect(r.json.errors.map((e: { code: string }) => e.code)).toEqual(['too-short']) },
  { name: 'admin wants the token', path: '/admin/users', init: json({ email: 'x@example.com' }), status: 401 },
  { name: 'admin is off without a token setting', on: 'off', path: '/admin/users', init: json({ email: 'x@example.com' }, admin), status: 404 },
  { name: 'admin refuses a duplicate in another case', path: '/admin/users', init: json({ email: 'KNOWN@example.com' }, admin), status: 409 },
  { name: 'admin refuses a large user body', path: '/admin/users', init: json({ email: 'x@example.com', name: big }, admin), status: 413 },
  { name: 'admin refuses a form user body', path: '/admin/users', init: raw('email=x', 'application/x-www-form-urlencoded', admin), status: 415 },
  { name: 'admin adds a user, store down', on: 'broken', path: '/admin/users', init: json({ email: 'x@example.com' }, admin), status: 500 },
  { name: 'admin past the wrong-token limit', on: 'limited', path: '/admin/users', init: json({ email: 'x@example.com' }, bearer('wrong-token')), status: 429, check: (r) => expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0) },
  { name: 'admin keys past the wrong-token limit', on: 'limited', path: '/admin/api-keys', init: json({ dialect: 'unleash' }, bearer('wrong-token')), status: 429 },
  { name: 'admin creates a key', path: '/admin/api-keys', init: json({ dialect: 'quickblox' }, admin), status: 201, check: (r) => expect(r.json.key).toMatch(/^rsd_quickblox_/) },
  { name: 'admin refuses an unknown dialect', path: '/admin/api-keys', init: json({ dialect: 'mattermost' }, admin), status: 400 },
  { name: 'admin key wants the token', path: '/admin/api-keys', init: json({ dialect: 'unleash' }, bearer('wrong-token')), status: 401 },
  { name: 'admin keys off', on: 'off', path: '/admin/api-keys', init: json({ dialect: 'unleash' }, admin), status: 404 },
  { name: 'admin key large body', path: '/admin/api-keys', init: json({ dialect: 'unleash', pad: big }, admin), status: 413 },
  { name: 'admin key wrong type', path: '/admin/api-keys', init: raw('{"dialect":"unleash"}', 'text/plain', admin), status: 415 },
  { name: 'admin creates a key, store down', on: 'broken', path: '/admin/api-keys', init: json({ dialect: 'unleash' }, admin), status: 500 },
  // Managing users
  { name: 'admin lists users', path: '/admin/users?limit=2&email_prefix=KNOWN', init: send('GET', undefined, admin), status: 200, check: (r) => expect(r.json.users.map((u: { email: string }) => u.email)).toEqual([KNOWN]) },
  { name: 'admin list refuses a limit of 0', path: '/admin/users?limit=0', init: send('GET', undefined, admin), status: 400 },
  { name: 'admin list wants the token', path: '/admin/users', init: send('GET', undefined, bearer('wrong-token')), status: 401 },
  { name: 'admin list off', on: 'off', path: '/admin/users', init: send('GET', undefined, admin), status: 404 },
  { name: 'admin list when accounts live in the application', on: 'directory', path: '/admin/users', init: send('GET', undefined, admin), status: 409 },
  { name: 'admin list past the wrong-token limit', on: 'limited', path: '/admin/users', init: send('GET', undefined, bearer('wrong-token')), status: 429 },
  { name: 'admin list, store down', on: 'broken', path: '/admin/users', init: send('GET', undefined, admin), status: 500 },
  { name: 'admin gets a user', path: someUser, init: send('GET', undefined, admin), status: 200, check: (r) => expect(r.json.email).toMatch(/^someone-/) },
  { name: 'admin get refuses a long id', path: `/admin/users/${'u'.repeat(101)}`, init: send('GET', undefined, admin), status: 400 },
  { name: 'admin get wants the token', path: '/admin/users/usr_x', init: send('GET'), status: 401 },
  { name: 'admin get an unknown user', path: '/admin/users/usr_x', init: send('GET', undefined, admin), status: 404, check: (r) => expect(r.json.detail).toBe('No user has this id.') },
  { name: 'admin get off', on: 'off', path: '/admin/users/usr_x', init: send('GET', undefined, admin), status: 404, check: (r) => expect(r.json.detail).toBe('This part of resetd is off.') },
  { name: 'admin get when accounts live in the application', on: 'directory', path: '/admin/users/usr_x', init: send('GET', undefined, admin), status: 409 },
  { name: 'admin get past the wrong-token limit', on: 'limited', path: '/admin/users/usr_x', init: send('GET', undefined, bearer('wrong-token')), status: 429 },
  { name: 'admin get, store down', on: 'broken', path: '/admin/users/usr_x', init: send('GET', undefined, admin), status: 500 },
  { name: 'admin changes a user', path: someUser, init: send('PATCH', { name: 'Renamed', disabled: true }, admin), status: 200, check: (r) => expect(r.json).toMatchObject({ name: 'Renamed', disabled: true }) },
  { name: 'admin change refuses an unknown field', path: '/admin/users/usr_x', init: send('PATCH', { password: GOOD }, admin), status: 400 },
  { name: 'admin change wants the token', path: '/admin/users/usr_x', init: send('PATCH', { name: 'x' }), status: 401 },
  { name: 'admin change an unknown user', path: '/admin/users/usr_x', init: send('PATCH', { name: 'x' }, admin), status: 404 },
  { name: 'admin change to a taken email', path: someUser, init: send('PATCH', { email: KNOWN.toUpperCase() }, admin), status: 409 },
  { name: 'admin change when accounts live in the application', on: 'directory', path: '/admin/users/usr_x', init: send('PATCH', { name: 'x' }, admin), status: 409 },
  { name: 'admin change too large', path: '/admin/users/usr_x', init: send('PATCH', { name: big }, admin), status: 413 },
  { name: 'admin change as text', path: '/admin/users/usr_x', init: { ...raw('{"name":"x"}', 'text/plain', admin), method: 'PATCH' }, status: 415 },
  { name: 'admin change past the wrong-token limit', on: 'limited', path: '/admin/users/usr_x', init: send('PATCH', { name: 'x' }, bearer('wrong-token')), status: 429 },
  { name: 'admin change, store down', on: 'broken', path: '/admin/users/usr_x', init: send('PATCH', { name: 'x' }, admin), status: 500 },
  { name: 'admin sets a password', path: (i) => someUser(i).then((path) => `${path}/password`), init: send('PUT', { password: GOOD }, admin), status: 204, check: (r) => expect(r.text).toBe('') },
  { name: 'admin set-password wants a password', path: '/admin/users/usr_x/password', init: send('PUT', {}, admin), status: 400 },
  { name: 'admin set-password wants the token', path: '/admin/users/usr_x/password', init: send('PUT', { password: GOOD }), status: 401 },
  { name: 'admin set-password of an unknown user', path: '/admin/users/usr_x/password', init: send('PUT', { password: GOOD }, admin), status: 404 },
  { name: 'admin set-password when accounts live in the application', on: 'directory', path: '/admin/users/usr_x/password', init: send('PUT', { password: GOOD }, admin), status: 409 },
  { name: 'admin set-password too large', path: '/admin/users/usr_x/password', init: send('PUT', { password: big }, admin), status: 413 },
  { name: 'admin set-password as a form', path: '/admin/users/usr_x/password', init: { ...form({ password: GOOD }), method: 'PUT', headers: { 'content-type': 'application/x-www-form-urlencoded', ...admin } }, status: 415 },
  { name: 'admin set-password refuses a weak one', path: (i) => someUser(i).then((path) => `${path}/password`), init: send('PUT', { password: 'short' }, admin), status: 422, check: (r) => expect(r.json.errors.map((e: { code: string }) => e.code)).toContain('too-short') },
  { name: 'admin set-password past the wrong-token limit', on: 'limited', path: '/admin/users/usr_x/password', init: send('PUT', { password: GOOD }, bearer('wrong-token')), status: 429 },
  { name: 'admin set-password, store down', on: 'broken', path: '/admin/users/usr_x/password', init: send('PUT', { password: GOOD }, admin), status: 500 },
  { name: 'admin deletes a user', path: someUser, init: send('DELETE', undefined, admin), status: 204, check: (r) => expect(r.text).toBe('') },
  { name: 'admin delete refuses a long id', path: `/admin/users/${'u'.repeat(101)}`, init: send('DELETE', undefined, admin), status: 400 },
  { name: 'admin delete wants the token', path: '/admin/users/usr_x', init: send('DELETE'), status: 401 },
  { name: 'admin delete an unknown user', path: '/admin/users/usr_x', init: send('DELETE', undefined, admin), status: 404 },
  { name: 'admin delete when accounts live in the application', on: 'directory', path: '/admin/users/usr_x', init: send('DELETE', undefined, admin), status: 409 },
  { name: 'admin delete past the wrong-token limit', on: 'limited', path: '/admin/users/usr_x', init: send('DELETE', undefined, bearer('wrong-token')), status: 429 },
  { name: 'admin delete, store down', on: 'broken', path: '/admin/users/usr_x', init: send('DELETE', undefined, admin), status: 500 },
  { name: 'admin imports a CSV file', path: '/admin/users/import', init: raw('email,name\nimported@example.com,Imported\nnot an address,X\n', 'text/csv', admin), status: 200, check: (r) => expect(r.json).toMatchObject({ added: 1, refused: 1, refusals: [{ line: 3 }] }) },
  { name: 'admin imports JSON Lines', path: '/admin/users/import', init: raw('{"email":"imported-jsonl@example.com"}\n', 'application/x-ndjson', admin), status: 200, check: (r) => expect(r.json).toMatchObject({ added: 1 }) },
  { name: 'admin import refuses a header without email', path: '/admin/users/import', init: raw('name\nX\n', 'text/csv', admin), status: 400 },
  { name: 'admin import wants the token', path: '/admin/users/import', init: raw('email\nx@example.com\n', 'text/csv'), status: 401 },
  { name: 'admin import is off without a token setting', on: 'off', path: '/admin/users/import', init: raw('email\nx@example.com\n', 'text/csv', admin), status: 404 },
  { name: 'admin import when accounts live in the application', on: 'directory', path: '/admin/users/import', init: raw('email\nx@example.com\n', 'text/csv', admin), status: 409 },
  { name: 'admin import over 1 GiB', path: '/admin/users/import', init: { method: 'POST', headers: { ...admin, 'content-type': 'text/csv', 'content-length': String(2 * 1024 ** 3) }, body: new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('email\n')) }), duplex: 'half' } as RequestInit, status: 413 },
  { name: 'admin import of JSON', path: '/admin/users/import', init: raw('{"email":"x@example.com"}', 'application/json', admin), status: 415 },
  { name: 'admin import past the wrong-token limit', on: 'limited', path: '/admin/users/import', init: raw('email\nx@example.com\n', 'text/csv', bearer('wrong-token')), status: 429 },
  { name: 'admin import, store down', on: 'broken', path: '/admin/users/import', init: raw('email\nx@example.com\n', 'text/csv', admin), status: 500 },
  // resetd's own verify (a key made for resetd)
  { name: 'verify the right password', path: verifyPath, init: () => json({ email: VERIFIED, password: GOOD }, bearer(verifyKeys.main!)), status: 200, check: (r) => expect(r.json).toMatchObject({ email: VERIFIED, name: null, locale: null }) },
  { name: 'verify a wrong password', path: verifyPath, init: () => json({ email: VERIFIED, password: `${GOOD}!` }, bearer(verifyKeys.main!)), status: 401, check: (r) => expect(r.json.type).toBe('urn:resetd:problem:wrong-credentials') },
  { name: 'verify with a maiascore key', path: verifyPath, init: (k) => json({ email: VERIFIED, password: GOOD }, bearer(k.maiascore!)), status: 401, check: (r) => expect(r.json.type).toBe('about:blank') },
  { name: 'verify wants a password', path: verifyPath, init: () => json({ email: VERIFIED }, bearer(verifyKeys.main!)), status: 400 },
  { name: 'verify too large', path: verifyPath, init: () => json({ email: VERIFIED, password: big }, bearer(verifyKeys.main!)), status: 413 },
  { name: 'verify as a form', path: verifyPath, init: () => raw('email=x&password=y', 'application/x-www-form-urlencoded', bearer(verifyKeys.main!)), status: 415 },
  { name: 'verify past the failure limit', on: 'limited', path: verifyPath, init: () => json({ email: VERIFIED, password: GOOD }, bearer(verifyKeys.limited!)), status: 429, check: (r) => expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0) },
  { name: 'verify with accounts in the application', on: 'directory', path: verifyPath, init: () => json({ email: VERIFIED, password: GOOD }, bearer(verifyKeys.directory!)), status: 501 },
  { name: 'verify, store down', on: 'broken', path: verifyPath, init: () => json({ email: VERIFIED, password: GOOD }, bearer(verifyKeys.broken!)), status: 500 },
  { name: 'mailbox lists', path: '/dev/mailbox', status: 200 },
  { name: 'mailbox is off with SMTP', on: 'off', path: '/dev/mailbox', status: 404 },
  {
    name: 'mailbox shows a message',
    path: async (instance) => {
      await until(() => instance.mailbox!.list().length > 0);
      return `/dev/mailbox/${instance.mailbox!.list()[0]!.id}`;
    },
    status: 200,
    check: (r) => expect(r.text).toContain('https://reset.example.test/reset?token='),
  },
  { name: 'mailbox has no such message', path: '/dev/mailbox/nope', status: 404 },
  // The reset page
  { name: 'page with a usable token', prepare: 'fresh-token', path: (_i, v) => `/reset?token=${v.token}`, status: 200, check: (r) => { isPage(r); expect(r.text).toContain('name="password_confirm"'); } },
  { name: 'page with an unknown token', path: `/reset?token=${UNKNOWN_TOKEN}`, status: 410, check: (r) => { isPage(r); expect(r.text).toContain('This link no longer works'); } },
  { name: 'page with a spent token', prepare: 'spent-token', path: (_i, v) => `/reset?token=${v.token}`, status: 410 },
  { name: 'page without a token asks for an address', path: '/reset', status: 200, check: (r) => expect(r.text).toContain('name="email"') },
  { name: 'page past the failure limit', on: 'limited', path: `/reset?token=${UNKNOWN_TOKEN}`, status: 429, check: (r) => expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0) },
  { name: 'page HEAD with a usable token', prepare: 'fresh-token', path: (_i, v) => `/reset?token=${v.token}`, init: { method: 'HEAD' }, status: 200 },
  { name: 'page HEAD with an unknown token', path: `/reset?token=${UNKNOWN_TOKEN}`, init: { method: 'HEAD' }, status: 410 },
  { name: 'page HEAD past the failure limit', on: 'limited', path: `/reset?token=${UNKNOWN_TOKEN}`, init: { method: 'HEAD' }, status: 429 },
  { name: 'page, store down', on: 'broken', path: `/reset?token=${UNKNOWN_TOKEN}`, status: 500, check: (r) => { isPage(r); expect(r.text).toContain('Try again'); } },
  { name: 'page HEAD, store down', on: 'broken', path: `/reset?token=${UNKNOWN_TOKEN}`, init: { method: 'HEAD' }, status: 500 },
  { name: 'page form sets the password', prepare: 'fresh-token', path: '/reset', init: (_k, v) => form({ token: v.token, password: GOOD, password_confirm: GOOD }), status: 200, check: (r) => expect(r.text).toContain('Password changed') },
  { name: 'page form with two different passwords', prepare: 'fresh-token', path: '/reset', init: (_k, v) => form({ token: v.token, password: GOOD, password_confirm: `${GOOD}!` }), status: 400, check: (r) => expect(r.text).toContain('role="alert"') },
  { name: 'page form with a spent token', prepare: 'spent-token', path: '/reset', init: (_k, v) => form({ token: v.token, password: GOOD, password_confirm: GOOD }), status: 410 },
  { name: 'page form too large', path: '/reset', init: form({ token: 'x', password: big, password_confirm: big }), status: 413 },
  { name: 'page form as JSON', path: '/reset', init: json({ token: 'x', password: GOOD, password_confirm: GOOD }), status: 415 },
  { name: 'page form, the application refuses', on: 'directory', prepare: 'fresh-token', path: '/reset', init: (_k, v) => form({ token: v.token, password: REFUSED, password_confirm: REFUSED }), status: 400, check: (r) => expect(r.text).toContain('You used this password before.') },
  { name: 'page form, the application is down', on: 'directory', prepare: 'fresh-token', path: '/reset', init: (_k, v) => form({ token: v.token, password: DOWN, password_confirm: DOWN }), status: 503, check: (r) => { isPage(r); expect(r.text).toContain('this link still works'); } },
  { name: 'page form past the failure limit', on: 'limited', path: '/reset', init: form({ token: UNKNOWN_TOKEN, password: GOOD, password_confirm: GOOD }), status: 429 },
  { name: 'page form, store down', on: 'broken', path: '/reset', init: form({ token: UNKNOWN_TOKEN, password: GOOD, password_confirm: GOOD }), status: 500, check: isPage },
  { name: 'page asks for a new link', path: '/reset/request', init: form({ email: KNOWN }), status: 200, check: (r) => expect(r.text).toContain('Check your inbox') },
  { name: 'page new link for a malformed address', path: '/reset/request', init: form({ email: 'not an address' }), status: 400 },
  { name: 'page new link too large', path: '/reset/request', init: form({ email: big }), status: 413 },
  { name: 'page new link over the address limit', on: 'busy', path: '/reset/request', init: form({ email: KNOWN }), status: 429, check: (r) => expect(r.text).toContain('Too many attempts') },
  { name: 'page new link as JSON', path: '/reset/request', init: json({ email: KNOWN }), status: 415 },
  { name: 'page new link, store down', on: 'broken', path: '/reset/request', init: form({ email: KNOWN }), status: 500, check: isPage },
  // resetd's completion API
  { name: 'validate a usable token', prepare: 'fresh-token', path: '/api/reset/validate', init: (_k, v) => json({ token: v.token }), status: 200 },
  { name: 'validate wants a token', path: '/api/reset/validate', init: json({}), status: 400 },
  { name: 'validate an unknown token', path: '/api/reset/validate', init: json({ token: UNKNOWN_TOKEN }), status: 404 },
  { name: 'validate a spent token', prepare: 'spent-token', path: '/api/reset/validate', init: (_k, v) => json({ token: v.token }), status: 410 },
  { name: 'validate too large', path: '/api/reset/validate', init: json({ token: big }), status: 413 },
  { name: 'validate as a form', path: '/api/reset/validate', init: form({ token: 'x' }), status: 415 },
  { name: 'validate past the failure limit', on: 'limited', path: '/api/reset/validate', init: json({ token: UNKNOWN_TOKEN }), status: 429 },
  { name: 'validate, store down', on: 'broken', path: '/api/reset/validate', init: json({ token: UNKNOWN_TOKEN }), status: 500 },
  { name: 'complete', prepare: 'fresh-token', path: '/api/reset/complete', init: (_k, v) => json({ token: v.token, password: GOOD }), status: 200 },
  { name: 'complete wants a password', path: '/api/reset/complete', init: json({ token: UNKNOWN_TOKEN }), status: 400 },
  { name: 'complete an unknown token', path: '/api/reset/complete', init: json({ token: UNKNOWN_TOKEN, password: GOOD }), status: 404 },
  { name: 'complete a spent token', prepare: 'spent-token', path: '/api/reset/complete', init: (_k, v) => json({ token: v.token, password: GOOD }), status: 410 },
  { name: 'complete too large', path: '/api/reset/complete', init: json({ token: 'x', password: big }), status: 413 },
  { name: 'complete as a form', path: '/api/reset/complete', init: form({ token: 'x', password: GOOD }), status: 415 },
  { name: 'complete with a weak password', prepare: 'fresh-token', path: '/api/reset/complete', init: (_k, v) => json({ token: v.token, password: 'short' }), status: 422, check: (r) => expect(r.json.errors.map((e: { code: string }) => e.code)).toContain('too-short') },
  { name: 'complete, the application refuses', on: 'directory', prepare: 'fresh-token', path: '/api/reset/complete', init: (_k, v) => json({ token: v.token, password: REFUSED }), status: 422, check: (r) => expect(r.json.errors).toEqual([{ code: 'refused', message: 'You used this password before.' }]) },
  { name: 'complete, the application is down', on: 'directory', prepare: 'fresh-token', path: '/api/reset/complete', init: (_k, v) => json({ token: v.token, password: DOWN }), status: 503, check: (r) => expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0) },
  { name: 'add a user when accounts live in the application', on: 'directory', path: '/admin/users', init: json({ email: 'new@example.com' }, admin), status: 409 },
  { name: 'complete past the failure limit', on: 'limited', path: '/api/reset/complete', init: json({ token: UNKNOWN_TOKEN, password: GOOD }), status: 429 },
  { name: 'complete, store down', on: 'broken', path: '/api/reset/complete', init: json({ token: UNKNOWN_TOKEN, password: GOOD }), status: 500 },
  // Unleash's completion
  { name: 'unleash validate', prepare: 'fresh-token', path: (_i, v) => `/auth/reset/validate?token=${v.token}`, status: 200, check: (r) => expect(r.json.email).toBe(COMPLETER) },
  { name: 'unleash validate wants a token', path: '/auth/reset/validate', status: 400 },
  { name: 'unleash validate an unknown token', path: `/auth/reset/validate?token=${UNKNOWN_TOKEN}`, status: 401 },
  { name: 'unleash validate past the failure limit', on: 'limited', path: `/auth/reset/validate?token=${UNKNOWN_TOKEN}`, status: 429 },
  { name: 'unleash validate, store down', on: 'broken', path: `/auth/reset/validate?token=${UNKNOWN_TOKEN}`, status: 500, check: (r) => expect(r.json.name).toBe('UnknownError') },
  { name: 'unleash password', prepare: 'fresh-token', path: '/auth/reset/password', init: (_k, v) => json({ token: v.token, password: GOOD }), status: 200, check: (r) => expect(r.text).toBe('') },
  { name: 'unleash password too weak', prepare: 'fresh-token', path: '/auth/reset/password', init: (_k, v) => json({ token: v.token, password: 'short' }), status: 400 },
  { name: 'unleash password with a spent token', prepare: 'spent-token', path: '/auth/reset/password', init: (_k, v) => json({ token: v.token, password: GOOD }), status: 403, check: (r) => expect(r.json.name).toBe('UsedTokenError') },
  { name: 'unleash password with an unknown token', path: '/auth/reset/password', init: json({ token: UNKNOWN_TOKEN, password: GOOD }), status: 401, check: (r) => expect(r.json.name).toBe('InvalidTokenError') },
  { name: 'unleash validate a spent token', prepare: 'spent-token', path: (_i, v) => `/auth/reset/validate?token=${v.token}`, status: 403 },
  { name: 'unleash validate-password, a good one', path: '/auth/reset/validate-password', init: json({ password: GOOD }), status: 200, check: (r) => expect(r.text).toBe('') },
  { name: 'unleash validate-password, a weak one', path: '/auth/reset/validate-password', init: json({ password: 'password' }), status: 400, check: (r) => expect(r.json.details[0].validationErrors.length).toBeGreaterThan(1) },
  { name: 'unleash validate-password too large', path: '/auth/reset/validate-password', init: json({ password: big }), status: 413 },
  { name: 'unleash validate-password as a form', path: '/auth/reset/validate-password', init: form({ password: GOOD }), status: 415 },
  { name: 'unleash validate-password over the address limit', on: 'busy', path: '/auth/reset/validate-password', init: json({ password: GOOD }), status: 429 },
  { name: 'unleash password, the application refuses', on: 'directory', prepare: 'fresh-token', path: '/auth/reset/password', init: (_k, v) => json({ token: v.token, password: REFUSED }), status: 400, check: (r) => expect(r.json.details).toEqual([{ message: 'You used this password before.', validationErrors: ['You used this password before.'] }]) },
  { name: 'unleash password, the application is down', on: 'directory', prepare: 'fresh-token', path: '/auth/reset/password', init: (_k, v) => json({ token: v.token, password: DOWN }), status: 503, check: (r) => expect(r.json.name).toBe('ServiceUnavailableError') },
  { name: 'unleash password too large', path: '/auth/reset/password', init: json({ token: 'x', password: big }), status: 413 },
  { name: 'unleash password as a form', path: '/auth/reset/password', init: form({ token: 'x', password: GOOD }), status: 415 },
  { name: 'unleash password past the failure limit', on: 'limited', path: '/auth/reset/password', init: json({ token: UNKNOWN_TOKEN, password: GOOD }), status: 429 },
  { name: 'unleash password, store down', on: 'broken', path: '/auth/reset/password', init: json({ token: UNKNOWN_TOKEN, password: GOOD }), status: 500, check: (r) => expect(r.json.name).toBe('UnknownError') },
  // Cloudreve's completion
  { name: 'cloudreve reset answers the user', prepare: 'fresh-token', path: (_i, v) => `/api/v4/user/reset/${v.user}`, init: (_k, v) => patch({ password: GOOD, secret: v.token }), status: 200, check: (r) => expect(r.json).toMatchObject({ code: 0, msg: '', data: { email: COMPLETER, nickname: expect.any(String) } }) },
  { name: 'cloudreve reset with a spent secret', prepare: 'spent-token', path: (_i, v) => `/api/v4/user/reset/${v.user}`, init: (_k, v) => patch({ password: GOOD, secret: v.token }), status: 200, check: (r) => expect(r.json).toMatchObject({ code: 40030, msg: 'Link is expired' }) },
  { name: 'cloudreve reset with an unknown secret', path: '/api/v4/user/reset/usr_x', init: patch({ password: GOOD, secret: UNKNOWN_TOKEN }), status: 200, check: (r) => expect(r.json).toMatchObject({ code: 40030, msg: 'Link is expired' }) },
  { name: 'cloudreve reset wants the secret', path: '/api/v4/user/reset/usr_x', init: patch({ password: GOOD }), status: 200, check: (r) => expect(r.json).toMatchObject({ code: 40001, msg: 'Secret cannot be empty' }) },
  { name: 'cloudreve reset wants the password', path: '/api/v4/user/reset/usr_x', init: patch({ secret: UNKNOWN_TOKEN }), status: 200, check: (r) => expect(r.json).toMatchObject({ code: 40001, msg: 'Password cannot be empty' }) },
  { name: 'cloudreve reset, the application refuses', on: 'directory', prepare: 'fresh-token', path: (_i, v) => `/api/v4/user/reset/${v.user}`, init: (_k, v) => patch({ password: REFUSED, secret: v.token }), status: 200, check: (r) => expect(r.json).toMatchObject({ code: 40001, msg: 'You used this password before.' }) },
  { name: 'cloudreve reset, the application is down', on: 'directory', prepare: 'fresh-token', path: (_i, v) => `/api/v4/user/reset/${v.user}`, init: (_k, v) => patch({ password: DOWN, secret: v.token }), status: 200, check: (r) => expect(r.json.code).toBe(50001) },
  { name: 'cloudreve reset too large with code 413', path: '/api/v4/user/reset/usr_x', init: patch({ password: big, secret: 'x' }), status: 200, check: (r) => expect(r.json).toMatchObject({ code: 413 }) },
  { name: 'cloudreve reset past the failure limit with code 429', on: 'limited', path: '/api/v4/user/reset/usr_x', init: patch({ password: GOOD, secret: UNKNOWN_TOKEN }), status: 200, check: (r) => { expect(r.json).toMatchObject({ code: 429, msg: 'Too many failed attempts, try again later' }); expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0); } },
  { name: 'cloudreve reset over the address limit with code 429', on: 'busy', path: '/api/v4/user/reset/usr_x', init: patch({ password: GOOD, secret: UNKNOWN_TOKEN }), status: 200, check: (r) => expect(r.json).toMatchObject({ code: 429, msg: 'Too many requests, try again later' }) },
];

describe('every documented response, over HTTP, valid against the merged spec', () => {
  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const on = c.on ?? 'main';
      const instance = instances[on];
      const vars = await prepare(instance, c.prepare);
      const path = typeof c.path === 'string' ? c.path : await c.path(instance, vars);
      const init = typeof c.init === 'function' ? c.init(keys[on] ?? {}, vars) : c.init;
      const response = await contractFetch(`${instance.url}${path}`, init);
      expect(response.status).toBe(c.status);
      expect(response.text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // never a stack trace
      c.check?.(response);
    });
  }

  it('exercised every status that every operation documents', () => {
    const missing = documentedResponses().filter((entry) => !exercised.has(entry));
    expect(missing).toEqual([]);
  });
});
