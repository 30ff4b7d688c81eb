import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../support/admin.ts';
import type { LogLine } from '../support/logs.ts';
import { capturingLogger } from '../support/logs.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { uncheckedFetch } from '../support/spec-checked.ts';
import { postJson, requestToken } from '../support/tokens.ts';
import { until } from '../support/waiting.ts';

/**
 * One access line per request, whatever its end, with what an operator needs to follow it;
 * never the query string, where the reset page's token travels.
 */
let resetd: TestResetd;
let lines: LogLine[];
let texts: string[];

beforeAll(async () => {
  const logs = capturingLogger();
  ({ lines, texts } = logs);
  resetd = await startTestResetd({}, { log: logs.log });
});
afterAll(() => resetd?.dispose());

const accessLines = (requestId: string | null) => lines.filter((line) => line.event === 'request' && line.fields?.requestId === requestId);

describe('the access log', () => {
  it('writes one line per request: method, path, operation, dialect, status, duration, request id, client IP, bytes', async () => {
    const reset = await postJson(resetd, '/api/v1/users.forgotPassword', { email: 'someone@example.com' });
    const missing = await uncheckedFetch('an unknown route under Cloudreve prefix', `${resetd.url}/api/v4/nothing?x=1`, { method: 'POST' });
    const head = await fetch(`${resetd.url}/reset?token=not-a-real-token`, { method: 'HEAD' });
    const cases = [
      [reset, { method: 'POST', path: '/api/v1/users.forgotPassword', operation: 'rocketchatForgotPassword', dialect: 'rocketchat', status: 200 }],
      [missing, { method: 'POST', path: '/api/v4/nothing', operation: null, dialect: 'cloudreve', status: 404 }],
      [head, { method: 'HEAD', path: '/reset', operation: 'resetPageHead', dialect: 'resetd', status: 410 }],
    ] as const;
    for (const [response, expected] of cases) {
      const requestId = response.headers.get('x-request-id');
      const found = accessLines(requestId);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ level: 'info', fields: { ...expected, requestId, clientIp: '127.0.0.1' } });
      const { durationMs, bytes } = found[0]!.fields!;
      expect(durationMs).toBeGreaterThan(0);
      expect(String(durationMs)).toMatch(/^\d+(\.\d{1,2})?$/);
      expect(bytes).toBe(expected.method === 'HEAD' ? 0 : Number(response.headers.get('content-length')));
    }
  });

  it('leads from a reset request to the worker’s line about it by the outbox id', async () => {
    const response = await postJson(resetd, '/api/v4/user/reset', { email: 'nobody-here@example.com' });
    const [access] = accessLines(response.headers.get('x-request-id'));
    const outboxId = access?.fields?.outboxId;
    expect(outboxId).toMatch(/^rr_/);
    const delivery = () => lines.find((line) => line.event === 'outbox.delivery' && line.fields?.outboxId === outboxId);
    await until(() => delivery() !== undefined);
    expect(delivery()!.fields).toMatchObject({ kind: 'reset', origin: 'cloudreve', outcome: 'no_account' });
    expect(JSON.stringify(lines)).not.toContain('nobody-here');
  });

  it('never writes the reset page’s token, from the query or the form, in any line', async () => {
    await addUser(resetd, 'logged@example.com');
    const token = await requestToken(resetd, 'logged@example.com');
    const opened = await fetch(`${resetd.url}/reset?token=${token}`);
    expect(opened.status).toBe(200);
    await fetch(`${resetd.url}/reset`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, password: 'x' }).toString() });
    await fetch(`${resetd.url}/auth/reset/validate?token=${token}`);
    expect(accessLines(opened.headers.get('x-request-id'))).toEqual([expect.objectContaining({ fields: expect.objectContaining({ path: '/reset', operation: 'resetPage' }) })]);
    expect(texts.length).toBeGreaterThan(3);
    for (const text of texts) expect(text).not.toContain(token);
  });
});

describe('a failure inside resetd', () => {
  let down: TestResetd;
  let downLines: LogLine[];
  beforeAll(async () => {
    const logs = capturingLogger();
    downLines = logs.lines;
    down = await startTestResetd({ RESETD_WORKER: 'off' }, { log: logs.log });
    await down.store.close();
  });
  afterAll(() => down?.dispose());

  it('is logged with its stack and the request id, and answered without one', async () => {
    const response = await postJson(down, '/api/v1/users.forgotPassword', { email: 'someone@example.com' });
    const body = await response.text();
    expect(response.status).toBe(500);
    expect(body).not.toMatch(/\bat .*:\d+|\.ts\b|Error:/);
    const requestId = response.headers.get('x-request-id');
    const ofRequest = downLines.filter((line) => line.fields?.requestId === requestId);
    expect(ofRequest.map((line) => [line.level, line.event])).toEqual([
      ['error', 'request.failed'],
      ['info', 'request'],
    ]);
    const { err, operation } = ofRequest[0]!.fields as { err: { type: string; message: string; stack: string }; operation: string };
    expect(operation).toBe('rocketchatForgotPassword');
    expect(err.message).not.toBe('');
    expect(err.stack).toMatch(/\n\s+at .*(sqlite|postgres|store)/i);
    expect(ofRequest[1]!.fields).toMatchObject({ status: 500 });
  });
});
