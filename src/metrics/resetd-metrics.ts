import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { OutboxKind } from '../core/outbox-item.ts';
import type { RecordRequest } from './request-metrics.ts';
import { requestMetrics } from './request-metrics.ts';

/**
 * Every metric one resetd instance exports, in a registry of its own (never prom-client's
 * global one: tests run several instances in one process, and each must count only its
 * own). The outbox gauges, read from the store, are added by watchOutbox. Names are fixed: deploy/grafana/resetd-dashboard.json and operators' alerts use them.
 */
export interface ResetdMetrics {
  registry: Registry;
  /** The exposition format's content type (text/plain; version=0.0.4). */
  contentType: string;
  /** The Prometheus text, collected now. */
  text(): Promise<string>;
  /** Counts and times one answered request (the hot path: see request-metrics.ts). */
  recordRequest: RecordRequest;
  deliveries: Counter<'kind' | 'outcome'>;
  deliveryDuration: Histogram<'kind'>;
  acceptedToSent: Histogram<'kind'>;
  directoryCalls: Counter<'directory' | 'call' | 'result'>;
  directoryDuration: Histogram<'directory' | 'call'>;
  rateLimitRefusals: Counter<'limit'>;
}

/**
 * What the mail worker's side counts (a delivery's outcome and time, its directory calls,
 * the mail throttle's refusals), narrowed to the calls it makes, so a worker in a thread of
 * its own can hand them to the serving thread's registry (forwarded-metrics.ts).
 */
export interface WorkerMetrics {
  deliveries: Pick<ResetdMetrics['deliveries'], 'inc'>;
  deliveryDuration: Pick<ResetdMetrics['deliveryDuration'], 'observe'>;
  acceptedToSent: Pick<ResetdMetrics['acceptedToSent'], 'observe'>;
  directoryCalls: Pick<ResetdMetrics['directoryCalls'], 'inc'>;
  directoryDuration: Pick<ResetdMetrics['directoryDuration'], 'observe'>;
  rateLimitRefusals: Pick<ResetdMetrics['rateLimitRefusals'], 'inc'>;
}

/** What one delivery attempt came to: a DeliverOutcome's kind ('retry' said as 'retried'), or 'failed' when it threw. */
export const DELIVERY_OUTCOMES = ['sent', 'no_account', 'throttled', 'retried', 'dead', 'failed'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];
const OUTBOX_KINDS: readonly OutboxKind[] = ['reset', 'password_changed', 'webhook'];

/** The keyPrefix of every limiter resetd makes (src/limits): one refusal counter each. */
export const LIMIT_NAMES = ['ip', 'api-key', 'reset-failures', 'admin-failures', 'verify-account', 'verify-ip', 'mail-minute', 'mail-hour'] as const;

// A delivery is a directory call plus an SMTP exchange (or a webhook POST): milliseconds to the lease.
const DELIVERY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// From the request's acceptance to the mail's: the poll interval, then retries with backoff up to an hour.
const ACCEPTED_TO_SENT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
// DIRECTORY_TIMEOUT_MS is 5 s by default.
const DIRECTORY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(): ResetdMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const metrics: ResetdMetrics = {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    recordRequest: requestMetrics(registry),
    deliveries: new Counter({
      name: 'resetd_outbox_deliveries_total',
      help: 'Delivery attempts by outbox kind and outcome: sent, no_account, throttled, retried (failed, scheduled again), dead (dead-lettered), failed (the worker could not record it).',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    deliveryDuration: new Histogram({
      name: 'resetd_outbox_delivery_duration_seconds',
      help: 'Time one delivery attempt took: the directory lookup, the token, and the SMTP exchange or webhook POST.',
      labelNames: ['kind'],
      buckets: DELIVERY_BUCKETS,
      registers,
    }),
    acceptedToSent: new Histogram({
      name: 'resetd_outbox_accepted_to_sent_seconds',
      help: 'Time from a request being accepted (or a notice queued) to its mail or webhook being accepted by the receiver.',
      labelNames: ['kind'],
      buckets: ACCEPTED_TO_SENT_BUCKETS,
      registers,
    }),
    directoryCalls: new Counter({
      name: 'resetd_directory_calls_total',
      help: 'Calls to the directory where the accounts live, by call and result (find: found, none, ambiguous, error; set_password: done, refused, unavailable; check_password: ok; ping: ok, error).',
      labelNames: ['directory', 'call', 'result'],
      registers,
    }),
    directoryDuration: new Histogram({
      name: 'resetd_directory_call_duration_seconds',
      help: 'Time each directory call took.',
      labelNames: ['directory', 'call'],
      buckets: DIRECTORY_BUCKETS,
      registers,
    }),
    rateLimitRefusals: new Counter({
      name: 'resetd_rate_limit_refusals_total',
      help: 'Requests (429) or reset mails (mail-minute, mail-hour: answered as usual, not sent) refused by a rate limit, by limit.',
      labelNames: ['limit'],
      registers,
    }),
  };
  // Series that exist from the start, at 0: rate() and alerts see the first event too.
  for (const kind of OUTBOX_KINDS) for (const outcome of DELIVERY_OUTCOMES) metrics.deliveries.inc({ kind, outcome }, 0);
  for (const limit of LIMIT_NAMES) metrics.rateLimitRefusals.inc({ limit }, 0);
  return metrics;
}
