import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { requestMetrics } from '../../src/metrics/request-metrics.ts';
import { parseScrape } from '../support/prometheus.ts';

/** The request counter and histogram resetd keeps itself (off prom-client's per-call path), read as Prometheus reads them. */
describe('request metrics', () => {
  const setUp = () => {
    const registry = new Registry();
    return { registry, record: requestMetrics(registry), scrape: async () => parseScrape(await registry.metrics()) };
  };

  it('puts a duration in the first bucket whose bound it does not exceed (le), cumulatively, and beyond the last in +Inf', async () => {
    const { record, scrape } = setUp();
    for (const seconds of [0.0005, 0.0006, 0.002, 3]) record('getHealth', undefined, 200, seconds);
    const metrics = await scrape();
    const bucket = (le: string) => metrics.value('resetd_http_request_duration_seconds_bucket', { operation: 'getHealth', le });
    expect([bucket('0.0005'), bucket('0.001'), bucket('0.0025'), bucket('2.5'), bucket('+Inf')]).toEqual([1, 2, 3, 3, 4]);
    expect(metrics.value('resetd_http_request_duration_seconds_sum', { operation: 'getHealth' })).toBeCloseTo(3.0031, 6);
    expect(metrics.value('resetd_http_request_duration_seconds_count', { operation: 'getHealth', dialect: 'resetd' })).toBe(4);
    expect(metrics.types.get('resetd_http_request_duration_seconds')).toBe('histogram');
  });

  it('counts by operation, dialect and status; no route is unmatched, under the dialect its path belongs to', async () => {
    const { record, scrape } = setUp();
    record('rocketchatForgotPassword', 'rocketchat', 200, 0.001);
    record('rocketchatForgotPassword', 'rocketchat', 200, 0.001);
    record('rocketchatForgotPassword', 'rocketchat', 429, 0.001);
    record(undefined, 'rocketchat', 404, 0.001);
    record(undefined, undefined, 404, 0.001);
    const metrics = await scrape();
    expect(metrics.types.get('resetd_http_requests_total')).toBe('counter');
    expect(metrics.value('resetd_http_requests_total', { operation: 'rocketchatForgotPassword', status: '200' })).toBe(2);
    expect(metrics.value('resetd_http_requests_total', { operation: 'rocketchatForgotPassword', dialect: 'rocketchat', status: '429' })).toBe(1);
    expect(metrics.value('resetd_http_requests_total', { operation: 'unmatched', dialect: 'rocketchat', status: '404' })).toBe(1);
    expect(metrics.value('resetd_http_requests_total', { operation: 'unmatched', dialect: 'resetd', status: '404' })).toBe(1);
  });

  it("the registry's reset clears them", async () => {
    const { registry, record, scrape } = setUp();
    record('getHealth', undefined, 200, 0.001);
    registry.resetMetrics();
    expect((await scrape()).samples).toEqual([]);
  });
});
