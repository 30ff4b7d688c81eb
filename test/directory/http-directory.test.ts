import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Account, SetPasswordResult } from '../../src/core/directory.ts';
import { DirectoryError } from '../../src/core/directory.ts';
import type { HttpDirectoryOptions } from '../../src/directory/http/index.ts';
import { checkHttpDirectorySettings, openHttpDirectory } from '../../src/directory/http/index.ts';
import { signatureHeader, verifySignature } from '../../src/signature/resetd-signature.ts';
import type { DirectoryReceiver } from '../support/directory-receiver.ts';
import { startDirectoryReceiver } from '../support/directory-receiver.ts';
import { freePort } from '../support/ports.ts';
import { until } from '../support/waiting.ts';

const SECRET = 'directory-secret-0123456789';
const PASSWORD = 'a long new pass phrase';
const ADA: Account = { id: '42', email: 'ada@example.com', name: 'Ada', locale: 'en', disabled: false };
let receiver: DirectoryReceiver;

const open = (options: Partial<HttpDirectoryOptions> = {}) =>
  openHttpDirectory({ url: receiver.url, secret: SECRET, timeoutMs: 2_000, ...options });

/** An error's message goes to a log: it must hold neither the new password nor the key. */
function expectSafe(message: string) {
  expect(message).not.toContain(PASSWORD);
  expect(message).not.toContain(SECRET);
}

async function findError(promise: Promise<unknown>): Promise<DirectoryError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DirectoryError);
  expectSafe((error as Error).message);
  return error as DirectoryError;
}

function unavailable(result: SetPasswordResult): string {
  expect(result.kind).toBe('unavailable');
  const { error } = result as { error: string };
  expectSafe(error);
  return error;
}

/** A URL on loopback where nothing listens. */
const closedPortUrl = async () => `http://127.0.0.1:${await freePort()}/resetd`;

beforeAll(async () => {
  receiver = await startDirectoryReceiver(SECRET);
});

afterAll(async () => {
  await receiver?.close();
});

beforeEach(() => {
  receiver.calls.length = 0;
  receiver.paths.length = 0;
  receiver.refused = 0;
  receiver.floodsClosed = 0;
  receiver.floodsFinished = 0;
  receiver.answer = () => ({ status: 204 });
});

describe('signing', () => {
  it('every call is a POST of JSON with a valid Resetd-Signature over its exact body', async () => {
    receiver.answer = (call) => (call.payload.action === 'find' ? { status: 200, json: ADA } : { status: 204 });
    const directory = open();
    expect(directory.name).toBe('http');
    await directory.find('zoë@example.com');
    await directory.setPassword(ADA, PASSWORD);
    await directory.ping();

    expect(receiver.refused).toBe(0);
    const expected = [
      { action: 'find', identifier: 'zoë@example.com' },
      { action: 'set-password', id: '42', password: PASSWORD },
      { action: 'ping' },
    ];
    expect(receiver.calls.map((call) => call.body)).toEqual(expected.map((payload) => JSON.stringify(payload)));
    for (const call of receiver.calls) {
      expect(call.method).toBe('POST');
      expect(call.path).toBe('/resetd/directory');
      expect(call.contentType).toBe('application/json');
      const [, t] = /^t=(\d+),v1=[0-9a-f]{64}$/.exec(call.signature)!;
      expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(10);
      expect(verifySignature(SECRET, call.body, call.signature)).toBe(true);
      // The signature covers exactly this body and this key.
      expect(verifySignature(SECRET, `${call.body} `, call.signature)).toBe(false);
      expect(verifySignature('another-secret-0123456789', call.body, call.signature)).toBe(false);
    }
  });

  it('a receiver holding another secret refuses every call (401): find throws, set-password is unavailable', async () => {
    const directory = open({ secret: 'not-the-receivers-secret' });
    const error = await findError(directory.find('ada@example.com'));
    expect(error.message).toMatch(/401/);
    expect(unavailable(await directory.setPassword(ADA, PASSWORD))).toMatch(/401/);
    expect(receiver.refused).toBe(2);
    expect(receiver.calls).toEqual([]);
  });
});

it('the test receiver refuses an unsigned call (401) and counts it', async () => {
  const response = await fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"action":"ping"}' });
  expect(response.status).toBe(401);
  expect(receiver.refused).toBe(1);
  expect(receiver.calls).toEqual([]);
});

describe('find', () => {
  it('an account the application finds (200) is returned, checked and completed', async () => {
    receiver.answer = () => ({ status: 200, json: { id: 7, email: 'ada@example.com', locale: 'pt-BR', extra: 'ignored' } });
    expect(await open().find('ada@example.com')).toEqual({
      kind: 'found',
      account: { id: '7', email: 'ada@example.com', name: null, locale: 'pt-BR', disabled: false },
    });
    receiver.answer = () => ({ status: 200, json: { ...ADA, disabled: true } });
    expect(await open().find('ada@example.com')).toEqual({ kind: 'found', account: { ...ADA, disabled: true } });
  });

  it('404 means no such account', async () => {
    receiver.answer = () => ({ status: 404, json: { error: 'no such user' } });
    expect(await open().find('nobody@example.com')).toEqual({ kind: 'none' });
  });

  it.each([
    ['a body that is not JSON', { status: 200, text: '<html>ok</html>' }, /not JSON/],
    ['an empty body', { status: 200 }, /not JSON/],
    ['an array', { status: 200, json: [ADA] }, /`id`/],
    ['null', { status: 200, json: null }, /not an object/],
    ['no email', { status: 200, json: { id: '1' } }, /`email`/],
    ['an empty id', { status: 200, json: { id: '', email: 'a@example.com' } }, /`id`/],
    ['a disabled flag that is not true or false', { status: 200, json: { id: '1', email: 'a@example.com', disabled: 'yes' } }, /`disabled`/],
  ])('an answer of the wrong shape (%s) throws a DirectoryError', async (_, answer, message) => {
    receiver.answer = () => answer;
    const error = await findError(open().find('ada@example.com'));
    expect(error.message).toMatch(message);
  });

  it.each([500, 503, 201, 204, 400, 401])('any other status (%i) throws a DirectoryError naming it', async (status) => {
    receiver.answer = () => ({ status, json: ADA });
    expect((await findError(open().find('ada@example.com'))).message).toMatch(new RegExp(`answered ${status}`));
  });

  it('a network error throws a DirectoryError', async () => {
    const error = await findError(open({ url: await closedPortUrl() }).find('ada@example.com'));
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('an answer slower than the time limit throws, at the limit', async () => {
    receiver.answer = () => ({ status: 200, json: ADA, delayMs: 5_000 });
    const started = Date.now();
    const error = await findError(open({ timeoutMs: 300 }).find('ada@example.com'));
    expect(error.message).toMatch(/no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('set-password', () => {
  it.each([204, 200, 201, 202])('any 2xx (%i) means done', async (status) => {
    receiver.answer = () => ({ status, ...(status === 204 ? {} : { json: { ok: true } }) });
    expect(await open().setPassword(ADA, PASSWORD)).toEqual({ kind: 'done' });
  });

  it("422 with reasons is refused, in the application's own words", async () => {
    receiver.answer = () => ({ status: 422, json: { reasons: ['Too similar to your name.', 'Used before.'] } });
    expect(await open().setPassword(ADA, PASSWORD)).toEqual({ kind: 'refused', reasons: ['Too similar to your name.', 'Used before.'] });
    const most = Array.from({ length: 10 }, (_, i) => `${i}`.padEnd(500, '.'));
    receiver.answer = () => ({ status: 422, json: { reasons: most } });
    expect(await open().setPassword(ADA, PASSWORD)).toEqual({ kind: 'refused', reasons: most });
  });

  it.each([
    ['no body', {}],
    ['a body that is not JSON', { text: 'too weak' }],
    ['no reasons', { json: { error: 'too weak' } }],
    ['reasons that are not a list', { json: { reasons: 'too weak' } }],
    ['an empty list', { json: { reasons: [] } }],
    ['an empty reason', { json: { reasons: [''] } }],
    ['a blank reason', { json: { reasons: ['   '] } }],
    ['a reason that is not text', { json: { reasons: [42] } }],
    ['a null reason', { json: { reasons: [null] } }],
    ['eleven reasons', { json: { reasons: Array.from({ length: 11 }, () => 'weak') } }],
    ['a reason of 501 characters', { json: { reasons: ['x'.repeat(501)] } }],
    ['a list instead of an object', { json: ['too weak'] }],
  ])('422 with invalid reasons (%s) is unavailable, not refused', async (_, answer) => {
    receiver.answer = () => ({ status: 422, ...answer });
    expect(unavailable(await open().setPassword(ADA, PASSWORD))).toMatch(/422 without 1–10 reasons/);
  });

  it.each([500, 503, 404, 400, 409, 301])('any other status (%i) is unavailable', async (status) => {
    receiver.answer = () => ({ status, json: { reasons: ['ignored'] } });
    expect(unavailable(await open().setPassword(ADA, PASSWORD))).toMatch(new RegExp(`answered ${status}`));
  });

  it('an answer slower than the time limit is unavailable, at the limit', async () => {
    receiver.answer = () => ({ status: 204, delayMs: 5_000 });
    const started = Date.now();
    expect(unavailable(await open({ timeoutMs: 300 }).setPassword(ADA, PASSWORD))).toMatch(/no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a network error is unavailable, never thrown', async () => {
    expect(unavailable(await open({ url: await closedPortUrl() }).setPassword(ADA, PASSWORD))).toMatch(/ECONNREFUSED/);
  });
});

describe('redirects', () => {
  it.each([301, 302, 303, 307, 308])('a %i is never followed: find throws, set-password is unavailable', async (status) => {
    receiver.answer = (call) => (call.path === '/elsewhere' ? { status: 204 } : { status, headers: { location: '/elsewhere' } });
    await findError(open().find('ada@example.com'));
    expect(unavailable(await open().setPassword(ADA, PASSWORD))).toMatch(new RegExp(`answered ${status}`));
    expect(receiver.paths).toEqual(['/resetd/directory', '/resetd/directory']);
  });
});

describe('answer size', () => {
  it('a flood without a length is cut off at 64 KiB, not read to its end', async () => {
    receiver.answer = () => ({ status: 200, floodBytes: 32 * 1024 * 1024 });
    const error = await findError(open().find('ada@example.com'));
    expect(error.message).toMatch(/larger than 65536 bytes/);
    receiver.answer = () => ({ status: 422, floodBytes: 32 * 1024 * 1024 });
    expect(unavailable(await open().setPassword(ADA, PASSWORD))).toMatch(/larger than 65536 bytes/);
    await until(() => receiver.floodsClosed === 2);
    expect(receiver.floodsFinished).toBe(0);
  });

  it('a declared length over 64 KiB is refused before reading', async () => {
    receiver.answer = () => ({ status: 200, text: JSON.stringify({ ...ADA, padding: 'x'.repeat(70 * 1024) }) });
    expect((await findError(open().find('ada@example.com'))).message).toMatch(/larger than 65536 bytes/);
  });

  it('an answer just under 64 KiB is read', async () => {
    receiver.answer = () => ({ status: 200, text: JSON.stringify({ ...ADA, padding: 'x'.repeat(60 * 1024) }) });
    expect(await open().find('ada@example.com')).toEqual({ kind: 'found', account: ADA });
  });
});

describe('ping', () => {
  it.each([204, 200, 302, 404])('any answer below 500 (%i) means reachable', async (status) => {
    receiver.answer = () => ({ status });
    await expect(open().ping()).resolves.toBeUndefined();
    expect(receiver.calls.map((call) => call.body)).toEqual(['{"action":"ping"}']);
  });

  it('an application that refuses the signature (401) is still reachable', async () => {
    await expect(open({ secret: 'not-the-receivers-secret' }).ping()).resolves.toBeUndefined();
    expect(receiver.refused).toBe(1);
  });

  it('5xx, a time-out or a network error throws', async () => {
    receiver.answer = () => ({ status: 503 });
    expect((await findError(open().ping())).message).toMatch(/answered 503/);
    receiver.answer = () => ({ status: 204, delayMs: 5_000 });
    expect((await findError(open({ timeoutMs: 300 }).ping())).message).toMatch(/no answer within 300 ms/);
    expect((await findError(open({ url: await closedPortUrl() }).ping())).message).toMatch(/ECONNREFUSED/);
  });
});

describe('settings', () => {
  const GOOD_SECRET = 'sixteen-chars-ok';

  it.each(['http://127.0.0.1:9/x', 'https://app.example.com/x', 'http://localhost:3000/resetd', 'http://[::1]:8080/x', 'http://127.1.2.3/x', 'HTTPS://APP.EXAMPLE.COM/x'])(
    'accepts %s',
    (url) => {
      expect(checkHttpDirectorySettings(url, GOOD_SECRET)).toEqual([]);
    },
  );

  it.each([
    ['http://example.com', /plain http:\/\/ is allowed only to a loopback host/],
    ['http://127.0.0.1.example.com/x', /loopback/],
    ['http://localhost.example.com/x', /loopback/],
    ['http://10.0.0.1/x', /loopback/],
    ['ftp://app.example.com/x', /http:\/\/ or https:\/\//],
    ['/relative/path', /absolute/],
    ['app.example.com/x', /absolute/],
    ['https://resetd:hunter2hunter2@app.example.com/x', /credentials/],
    [null, /must be set/],
    ['', /must be set/],
  ])('refuses DIRECTORY_URL %s', (url, message) => {
    const problems = checkHttpDirectorySettings(url, GOOD_SECRET);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DIRECTORY_URL: /);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).not.toContain('hunter2');
  });

  it('DIRECTORY_SECRET must be set and at least 16 characters, and is never echoed', () => {
    expect(checkHttpDirectorySettings('https://app.example.com/x', null)).toEqual([expect.stringMatching(/^DIRECTORY_SECRET: must be set/)]);
    expect(checkHttpDirectorySettings('https://app.example.com/x', '')).toEqual([expect.stringMatching(/^DIRECTORY_SECRET: must be set/)]);
    const [problem] = checkHttpDirectorySettings('https://app.example.com/x', 'fifteen-chars!!');
    expect(problem).toMatch(/^DIRECTORY_SECRET: must be at least 16 characters/);
    expect(problem).not.toContain('fifteen-chars!!');
    expect(checkHttpDirectorySettings('http://example.com', null)).toHaveLength(2);
  });

  it('openHttpDirectory refuses settings that fail the check', () => {
    expect(() => openHttpDirectory({ url: 'http://example.com/x', secret: SECRET, timeoutMs: 1000 })).toThrow(/DIRECTORY_URL/);
    expect(() => openHttpDirectory({ url: 'https://app.example.com/x', secret: 'short', timeoutMs: 1000 })).toThrow(/DIRECTORY_SECRET/);
    expect(() => openHttpDirectory({ url: 'https://app.example.com/x', secret: SECRET, timeoutMs: 0 })).toThrow(/time limit/);
  });
});

describe("the README's example receiver (examples/http-directory-receiver.mjs)", () => {
  const script = fileURLToPath(new URL('../../examples/http-directory-receiver.mjs', import.meta.url));
  let child: ReturnType<typeof spawn>;
  let url: string;

  beforeAll(async () => {
    child = spawn(process.execPath, [script], { env: { ...process.env, DIRECTORY_SECRET: SECRET, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr!.on('data', (chunk) => (output += chunk));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the example did not start:\n${output}`)), 10_000);
      child.stdout!.on('data', (chunk) => {
        output += chunk;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(`${match[1]}/resetd`);
        }
      });
      child.once('exit', (code) => reject(new Error(`the example exited with ${code}:\n${output}`)));
    });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    }
  });

  it('answers find, set-password (done and refused) and ping, and refuses a wrong signature', async () => {
    const directory = openHttpDirectory({ url, secret: SECRET, timeoutMs: 5_000 });
    await expect(directory.ping()).resolves.toBeUndefined();
    const found = await directory.find('ada@example.com');
    expect(found).toEqual({ kind: 'found', account: { id: '1', email: 'ada@example.com', name: 'Ada', locale: 'en', disabled: false } });
    expect(await directory.find('1')).toEqual(found);
    expect(await directory.find('nobody@example.com')).toEqual({ kind: 'none' });

    const account = (found as { account: Account }).account;
    expect(await directory.setPassword(account, 'correct horse battery staple')).toEqual({ kind: 'done' });
    expect(await directory.setPassword(account, 'I-am-ADA-1815')).toEqual({ kind: 'refused', reasons: ['The password must not contain your email address.'] });
    expect(unavailable(await directory.setPassword({ ...account, id: '999' }, 'correct horse battery staple'))).toMatch(/answered 404/);

    const forged = openHttpDirectory({ url, secret: 'not-the-receivers-secret', timeoutMs: 5_000 });
    expect((await findError(forged.find('ada@example.com'))).message).toMatch(/answered 401/);
    expect(child.exitCode).toBeNull();
  });

  it('refuses a replayed call: a correct signature more than 5 minutes old', async () => {
    const body = JSON.stringify({ action: 'find', identifier: 'ada@example.com' });
    const post = (at: Date) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'resetd-signature': signatureHeader(SECRET, body, at) }, body });
    expect((await post(new Date(Date.now() - 60_000))).status).toBe(200);
    expect((await post(new Date(Date.now() - 6 * 60_000))).status).toBe(401);
    expect((await post(new Date(Date.now() + 6 * 60_000))).status).toBe(401);
  });
});
