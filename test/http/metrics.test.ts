import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../support/admin.ts';
import type { Scrape } from '../support/prometheus.ts';
import { parseScrape } from '../support/prometheus.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { uncheckedFetch } from '../support/spec-checked.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import { postJson, requestMail } from '../support/tokens.ts';
import { outboxSettled, until } from '../support/waiting.ts';

/**
 * GET /metrics against real instances: what an operator's Prometheus reads after real
 * traffic, with the worker delivering to the dev mailbox.
 */
const TOKEN = 'metrics-test-token-0123';
const KNOWN = 'known@example.com';
const rc = '/api/v1/users.forgotPassword';
const started: TestResetd[] = [];
const start = async (env: Record<string, string>) => {
  const resetd = await startTestResetd(env);
  started.push(resetd);
  return resetd;
};

afterAll(async () => {
  await Promise.all(started.map((resetd) => resetd.dispose()));
});

async function scrape(resetd: TestResetd): Promise<Scrape> {
  const response = await fetch(`${resetd.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  return parseScrape(await response.text());
}

describe('/metrics on the main port, with METRICS_TOKEN', () => {
  let resetd: TestResetd;
  beforeAll(async () => {
    resetd = await start({ METRICS_TOKEN: TOKEN });
    await addUser(resetd, KNOWN);
  });

  it('counts requests by operation, dialect and status, and times them in histogram buckets', async () => {
    const labels = { operation: 'rocketchatForgotPassword', dialect: 'rocketchat' };
    for (let i = 0; i < 3; i++) expect((await postJson(resetd, rc, { email: `nobody${i}@example.com` })).status).toBe(200);
    expect((await postJson(resetd, rc, {})).status).toBe(400);
    const metrics = await scrape(resetd);
    expect(metrics.value('resetd_http_requests_total', { ...labels, status: '200' })).toBe(3);
    expect(metrics.value('resetd_http_requests_total', { ...labels, status: '400' })).toBe(1);
    // The histogram has every request, in cumulative buckets ending at +Inf.
    const buckets = metrics.samples.filter((s) => s.name === 'resetd_http_request_duration_seconds_bucket' && s.labels.operation === labels.operation);
    expect(buckets.map((b) => b.labels.le)).toEqual(['0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf']);
    expect(buckets.map((b) => b.value)).toEqual([...buckets.map((b) => b.value)].sort((a, b) => a - b));
    expect(buckets.at(-1)!.value).toBe(4);
    expect(metrics.value('resetd_http_request_duration_seconds_count', labels)).toBe(4);
    expect(metrics.value('resetd_http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
  });

  it('counts a request no route matches as unmatched, under the dialect its path belongs to', async () => {
    await uncheckedFetch('no operation has this path', `${resetd.url}/api/v1/nothing-here`);
    await uncheckedFetch('no operation has this path', `${resetd.url}/nowhere`);
    const metrics = await scrape(resetd);
    expect(metrics.value('resetd_http_requests_total', { operation: 'unmatched', dialect: 'rocketchat', status: '404' })).toBe(1);
    expect(metrics.value('resetd_http_requests_total', { operation: 'unmatched', dialect: 'resetd', status: '404' })).toBe(1);
  });

  it('a delivered mail shows as sent, with its latency, and the directory lookup behind it', async () => {
    await requestMail(resetd, KNOWN, { path: rc });
    await outboxSettled(resetd);
    const metrics = await scrape(resetd);
    expect(metrics.value('resetd_outbox_deliveries_total', { kind: 'reset', outcome: 'sent' })).toBe(1);
    // The three unknown addresses above: looked up, nobody mailed.
    await until(async () => (await scrape(resetd)).value('resetd_outbox_deliveries_total', { kind: 'reset', outcome: 'no_account' }) === 3);
    expect(metrics.value('resetd_outbox_deliveries_total', { kind: 'reset', outcome: 'dead' })).toBe(0);
    expect(metrics.value('resetd_outbox_accepted_to_sent_seconds_count', { kind: 'reset' })).toBe(1);
    expect(metrics.value('resetd_outbox_delivery_duration_seconds_count', { kind: 'reset' })).toBeGreaterThanOrEqual(1);
    expect(metrics.value('resetd_directory_calls_total', { directory: 'builtin', call: 'find', result: 'found' })).toBe(1);
    expect(metrics.value('resetd_directory_call_duration_seconds_count', { directory: 'builtin', call: 'find' })).toBeGreaterThanOrEqual(1);
    expect(metrics.value('resetd_outbox_items', { state: 'pending' })).toBe(0);
    expect(metrics.value('resetd_outbox_oldest_due_age_seconds')).toBe(0);
    expect(metrics.value('resetd_store_up')).toBe(1);
  });

  it("has Node's process metrics", async () => {
    const metrics = await scrape(resetd);
    expect(metrics.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(metrics.value('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(metrics.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(metrics.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
  });

  it('needs the token: none or a wrong one is 401, and nothing is shown', async () => {
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}-not` }, { authorization: TOKEN }] as Record<string, string>[]) {
      const response = await fetch(`${resetd.url}/metrics`, { headers });
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain('resetd_');
      expect((await fetch(`${resetd.url}/metrics`, { method: 'HEAD', headers })).status).toBe(401);
    }
  });

  it('answers HEAD as GET without the body, with the token', async () => {
    const response = await fetch(`${resetd.url}/metrics`, { method: 'HEAD', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
});

describe('the outbox gauges', () => {
  it('count the requests waiting for a worker, and how long the oldest has been due', async () => {
    const resetd = await start({ METRICS_TOKEN: TOKEN, RESETD_WORKER: 'off' });
    const before = await scrape(resetd);
    expect(before.value('resetd_outbox_items', { state: 'pending' })).toBe(0);
    for (let i = 0; i < 3; i++) await postJson(resetd, rc, { email: `waiting${i}@example.com` });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = await scrape(resetd);
    expect(after.value('resetd_outbox_items', { state: 'pending' })).toBe(3);
    expect(after.value('resetd_outbox_items', { state: 'sending' })).toBe(0);
    expect(after.value('resetd_outbox_oldest_due_age_seconds')).toBeGreaterThanOrEqual(0.04);
  });
});

describe('mail the SMTP server refuses', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    // A 4xx first (retried), then a 5xx (dead-lettered at once).
    sink = await startSmtpSink({ refuse: (_to, attempt) => (attempt === 1 ? { code: 451, message: 'try later' } : { code: 550, message: 'no such mailbox' }) });
  });
  afterAll(() => sink?.close());

  it('shows as retried, then dead-lettered, and the dead item stays in the outbox gauge', async () => {
    const resetd = await start({ METRICS_TOKEN: TOKEN, SMTP_URL: sink.url });
    await addUser(resetd, 'bounces@example.com');
    await postJson(resetd, rc, { email: 'bounces@example.com' });
    await until(async () => (await scrape(resetd)).value('resetd_outbox_deliveries_total', { kind: 'reset', outcome: 'dead' }) === 1);
    const metrics = await scrape(resetd);
    expect(metrics.value('resetd_outbox_deliveries_total', { kind: 'reset', outcome: 'retried' })).toBe(1);
    expect(metrics.value('resetd_outbox_deliveries_total', { kind: 'reset', outcome: 'sent' })).toBe(0);
    expect(metrics.value('resetd_outbox_delivery_duration_seconds_count', { kind: 'reset' })).toBe(2);
    expect(metrics.value('resetd_outbox_items', { state: 'dead' })).toBe(1);
  });

  it('a worker-only process is scraped on METRICS_PORT', async () => {
    const worker = await startTestResetd({ SMTP_URL: sink.url, METRICS_PORT: '0' }, { role: 'worker' });
    started.push(worker);
    expect(worker.url).toBe('');
    const response = await fetch(`${worker.metricsUrl}/metrics`);
    expect(response.status).toBe(200);
    const metrics = parseScrape(await response.text());
    expect(metrics.value('resetd_store_up')).toBe(1);
    expect(metrics.value('resetd_outbox_deliveries_total', { kind: 'reset', outcome: 'sent' })).toBe(0);
  });
});

describe('rate limits', () => {
  it('a 429 counts as a refusal of the limit that gave it', async () => {
    const resetd = await start({ METRICS_TOKEN: TOKEN, RATE_LIMIT_IP: '1', RESETD_WORKER: 'off' });
    expect((await postJson(resetd, rc, { email: 'a@example.com' })).status).toBe(200);
    expect((await scrape(resetd)).value('resetd_rate_limit_refusals_total', { limit: 'ip' })).toBe(0);
    expect((await postJson(resetd, rc, { email: 'a@example.com' })).status).toBe(429);
    const metrics = await scrape(resetd);
    expect(metrics.value('resetd_rate_limit_refusals_total', { limit: 'ip' })).toBe(1);
    expect(metrics.value('resetd_http_requests_total', { operation: 'rocketchatForgotPassword', dialect: 'rocketchat', status: '429' })).toBe(1);
  });
});

describe('METRICS_PORT', () => {
  it('serves /metrics without a token on its own port, while the main port answers 404', async () => {
    const resetd = await start({ METRICS_PORT: '0', RESETD_WORKER: 'off' });
    expect(resetd.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${resetd.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${resetd.url}/metrics`, { method: 'HEAD' })).status).toBe(404);
    await postJson(resetd, rc, { email: 'someone@example.com' });
    const response = await fetch(`${resetd.metricsUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const metrics = parseScrape(await response.text());
    expect(metrics.value('resetd_http_requests_total', { operation: 'rocketchatForgotPassword', dialect: 'rocketchat', status: '200' })).toBe(1);
    // The metrics port knows no other path, nor any other method.
    const other = await fetch(`${resetd.metricsUrl}/healthz`);
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    const post = await fetch(`${resetd.metricsUrl}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('with METRICS_TOKEN too, the main port also serves it, with the token', async () => {
    const resetd = await start({ METRICS_PORT: '0', METRICS_TOKEN: TOKEN, RESETD_WORKER: 'off' });
    expect((await fetch(`${resetd.metricsUrl}/metrics`)).status).toBe(200);
    expect((await scrape(resetd)).value('resetd_store_up')).toBe(1);
  });

  it('stops listening when resetd stops', async () => {
    const resetd = await startTestResetd({ METRICS_PORT: '0', RESETD_WORKER: 'off' });
    const url = resetd.metricsUrl!;
    await resetd.dispose();
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
  });
});

describe('one registry per instance', () => {
  it('two instances in one process count only their own requests', async () => {
    const [a, b] = await Promise.all([start({ METRICS_TOKEN: TOKEN, RESETD_WORKER: 'off' }), start({ METRICS_TOKEN: TOKEN, RESETD_WORKER: 'off' })]);
    await postJson(a!, rc, { email: 'one@example.com' });
    await postJson(a!, rc, { email: 'two@example.com' });
    await postJson(b!, rc, { email: 'three@example.com' });
    const labels = { operation: 'rocketchatForgotPassword', dialect: 'rocketchat', status: '200' };
    expect((await scrape(a!)).value('resetd_http_requests_total', labels)).toBe(2);
    expect((await scrape(b!)).value('resetd_http_requests_total', labels)).toBe(1);
  });
});
