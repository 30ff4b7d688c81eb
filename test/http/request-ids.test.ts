import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../support/admin.ts';
import type { LogLine } from '../support/logs.ts';
import { capturingLogger } from '../support/logs.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { uncheckedFetch } from '../support/spec-checked.ts';
import { postJson } from '../support/tokens.ts';

/**
 * Every answer carries X-Request-Id, and the same id is on every log line of its request
 * and in the error ids of the products that have one, so one id leads from a user's report
 * to resetd's logs. Only a trusted proxy may choose the id.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let direct: TestResetd;
let directLines: LogLine[];
let behindProxy: TestResetd;
let proxyLines: LogLine[];
let unleashKey: string;

beforeAll(async () => {
  const logs = capturingLogger();
  directLines = logs.lines;
  direct = await startTestResetd({ RESETD_WORKER: 'off' }, { log: logs.log });
  unleashKey = await createApiKey(direct, 'unleash');
  // The test's own connections come from 127.0.0.1: here that is the trusted proxy.
  const proxied = capturingLogger();
  proxyLines = proxied.lines;
  behindProxy = await startTestResetd({ RESETD_WORKER: 'off', TRUSTED_PROXIES: '127.0.0.1' }, { log: proxied.log });
});
afterAll(async () => {
  await direct?.dispose();
  await behindProxy?.dispose();
});

const idOf = (response: Response) => response.headers.get('x-request-id');
const accessLine = (lines: LogLine[], requestId: string | null) =>
  lines.filter((line) => line.event === 'request' && line.fields?.requestId === requestId).map((line) => line.fields);

describe('X-Request-Id', () => {
  it('is on every answer, a new UUID each time: success, unknown route, 413, 415, HEAD, the reset page, the dev mailbox, the docs', async () => {
    const url = direct.url;
    const responses = [
      await postJson(direct, '/api/v1/users.forgotPassword', { email: 'someone@example.com' }),
      await uncheckedFetch('an unknown route: only its header is read', `${url}/no/such/route`),
      await postJson(direct, '/api/v1/users.forgotPassword', { email: 'x'.repeat(20_000) }),
      await fetch(`${url}/auth/reset/password-email`, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: unleashKey }, body: 'email' }),
      await fetch(`${url}/reset?token=not-a-real-token`, { method: 'HEAD' }),
      await fetch(`${url}/reset?token=not-a-real-token`),
      await fetch(`${url}/dev/mailbox`),
      await fetch(`${url}/docs`, { headers: { accept: 'text/html' } }),
    ];
    expect(responses.map((response) => response.status)).toEqual([200, 404, 413, 415, 410, 410, 200, 200]);
    const ids = responses.map(idOf);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
    // Each is the id of the request's one access line.
    for (const id of ids) expect(accessLine(directLines, id)).toHaveLength(1);
  });

  it('from a trusted proxy is kept, on the answer and in the access line', async () => {
    const response = await postJson(behindProxy, '/api/v1/users.forgotPassword', { email: 'someone@example.com' }, { 'x-request-id': 'lb-7f3a.9:01' });
    expect(idOf(response)).toBe('lb-7f3a.9:01');
    expect(accessLine(proxyLines, 'lb-7f3a.9:01')).toEqual([expect.objectContaining({ operation: 'rocketchatForgotPassword', status: 200 })]);
  });

  it('from a peer that is not a trusted proxy is replaced by one of resetd’s', async () => {
    const response = await postJson(direct, '/api/v1/users.forgotPassword', { email: 'someone@example.com' }, { 'x-request-id': 'chosen-by-the-client' });
    expect(idOf(response)).toMatch(UUID);
    expect(JSON.stringify(directLines)).not.toContain('chosen-by-the-client');
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['with a space', 'two words'],
    ['with a quote', 'id"injected'],
    ['with a slash', '../etc'],
    ['empty', ''],
  ])('from a trusted proxy but %s is replaced', async (_why, sent) => {
    const response = await postJson(behindProxy, '/api/v1/users.forgotPassword', { email: 'someone@example.com' }, { 'x-request-id': sent });
    expect(idOf(response)).toMatch(UUID);
  });

  it('of 128 allowed characters from a trusted proxy is kept', async () => {
    const longest = 'A-z0.9:-'.repeat(16);
    const response = await postJson(behindProxy, '/api/v1/users.forgotPassword', { email: 'someone@example.com' }, { 'x-request-id': longest });
    expect(idOf(response)).toBe(longest);
  });
});

describe('the products’ error ids are the request id', () => {
  it('Cloudreve’s correlation_id, on an error only', async () => {
    const failed = await postJson(direct, '/api/v4/user/reset', {});
    expect(await failed.json()).toMatchObject({ code: 40001, correlation_id: idOf(failed) });
    expect(accessLine(directLines, idOf(failed))).toEqual([expect.objectContaining({ dialect: 'cloudreve', operation: 'cloudreveSendResetEmail', status: 200 })]);
    const accepted = await postJson(direct, '/api/v4/user/reset', { email: 'someone@example.com' });
    expect(await accepted.json()).toEqual({ code: 0, msg: '' });
  });

  it('Unleash’s id, on its 401, 415 and unknown-route 404', async () => {
    const responses = [
      await postJson(direct, '/auth/reset/password-email', { email: 'someone@example.com' }),
      await fetch(`${direct.url}/auth/reset/password-email`, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: unleashKey }, body: 'x' }),
      await uncheckedFetch('an unknown route under Unleash prefix', `${direct.url}/auth/reset/nothing`),
    ];
    expect(responses.map((response) => response.status)).toEqual([401, 415, 404]);
    for (const response of responses) {
      expect(await response.json()).toMatchObject({ id: idOf(response) });
      expect(accessLine(directLines, idOf(response))).toEqual([expect.objectContaining({ dialect: 'unleash', status: response.status })]);
    }
  });

  it('a proxy’s id that is no UUID cannot be one: the error gets a UUID of its own, written in the access line', async () => {
    const failed = await postJson(behindProxy, '/api/v4/user/reset', {}, { 'x-request-id': 'lb-not-a-uuid' });
    const { correlation_id } = await failed.json();
    expect(correlation_id).toMatch(UUID);
    expect(accessLine(proxyLines, 'lb-not-a-uuid')).toEqual([expect.objectContaining({ errorId: correlation_id })]);
  });
});
