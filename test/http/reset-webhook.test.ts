import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { postJson, requestToken } from '../support/tokens.ts';
import { until } from '../support/waiting.ts';
import { addUser } from '../support/admin.ts';

/** After a reset the host application hears of it: a signed POST, retried until it answers 2xx. */
const SECRET = 'webhook-secret-0123456789';
const received: { body: string; signature: string; status: number }[] = [];
let failFirst = 2;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const status = failFirst-- > 0 ? 503 : 204;
    received.push({ body, signature: String(req.headers['resetd-signature']), status });
    res.writeHead(status).end();
  });
});
let resetd: TestResetd;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  resetd = await startTestResetd({ WEBHOOK_URL: `http://127.0.0.1:${port}/hooks/resetd`, WEBHOOK_SECRET: SECRET });
});

afterAll(async () => {
  await resetd?.dispose();
  await new Promise((resolve) => server.close(resolve));
});

it('a completed reset is posted to the webhook, signed with HMAC-SHA256, and retried after 5xx', async () => {
  const userId = await addUser(resetd, 'hooked@example.com');
  const token = await requestToken(resetd, 'hooked@example.com');
  expect((await postJson(resetd, '/api/reset/complete', { token, password: 'correct horse battery staple' })).status).toBe(200);

  await until(() => received.some((r) => r.status === 204));
  expect(received.map((r) => r.status)).toEqual([503, 503, 204]);
  const delivered = received.at(-1)!;
  const event = JSON.parse(delivered.body);
  expect(event).toMatchObject({ event: 'password.changed', userId, email: 'hooked@example.com' });
  expect(Date.parse(event.changedAt)).not.toBeNaN();

  const [, t, v1] = delivered.signature.match(/^t=(\d+),v1=([0-9a-f]{64})$/)!;
  expect(v1).toBe(createHmac('sha256', SECRET).update(`${t}.${delivered.body}`).digest('hex'));
  expect(createHmac('sha256', 'another secret').update(`${t}.${delivered.body}`).digest('hex')).not.toBe(v1);
});
