import type { Metric, Registry } from 'prom-client';

/** Records one answered request: its operationId (undefined: no route), dialect (undefined: resetd's own), status and duration. */
export type RecordRequest = (operation: string | undefined, dialect: string | undefined, status: number, seconds: number) => void;

// The request path answers in about a millisecond; the 1 s failure penalty and argon2
// hashing of completions land in the upper buckets.
export const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

type OperationLabels = { operation: string; dialect: string };

interface OperationSeries {
  labels: OperationLabels;
  byStatus: Map<number, { labels: OperationLabels & { status: string }; count: number }>;
  /** Observations per bucket (not cumulative), the last one +Inf. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

const REQUESTS = 'resetd_http_requests_total';
const DURATION = 'resetd_http_request_duration_seconds';

/**
 * The request counter and latency histogram. prom-client's Counter and Histogram hash and
 * validate their labels on every call (about 1.5 µs a request here, measured); the request
 * path is benchmarked against bare koa, so it keeps plain numbers per operation and status
 * instead (a map lookup and a few increments) and hands them to the registry as two metric
 * families at scrape time. Both keys are bounded (the spec's operations, the statuses
 * resetd sends), so the maps are too.
 */
export function requestMetrics(registry: Registry): RecordRequest {
  const series = new Map<string, OperationSeries>();

  const record: RecordRequest = (operation, dialect, status, seconds) => {
    // A request no route matched may still be a dialect's (by its path prefix).
    const key = operation ?? (dialect === undefined ? 'unmatched' : `unmatched ${dialect}`);
    let entry = series.get(key);
    if (entry === undefined) {
      const labels = { operation: operation ?? 'unmatched', dialect: dialect ?? 'resetd' };
      entry = { labels, byStatus: new Map(), buckets: new Float64Array(REQUEST_BUCKETS.length + 1), sum: 0, count: 0 };
      series.set(key, entry);
    }
    let counted = entry.byStatus.get(status);
    if (counted === undefined) {
      counted = { labels: { ...entry.labels, status: String(status) }, count: 0 };
      entry.byStatus.set(status, counted);
    }
    counted.count += 1;
    let bucket = 0;
    while (bucket < REQUEST_BUCKETS.length && seconds > REQUEST_BUCKETS[bucket]!) bucket++;
    entry.buckets[bucket]! += 1;
    entry.sum += seconds;
    entry.count += 1;
  };

  registry.registerMetric(
    family(REQUESTS, 'counter', 'HTTP requests answered, by operationId of the spec (unmatched: no route), dialect (resetd: its own API) and status.', () =>
      [...series.values()].flatMap((entry) => [...entry.byStatus.values()].map(({ labels, count }) => ({ labels, value: count }))),
    () => series.clear(),
  ));
  registry.registerMetric(
    family(DURATION, 'histogram', 'Time from a request reaching resetd to its answer being handed to the socket.', () =>
      [...series.values()].flatMap(({ labels, buckets, sum, count }) => {
        let cumulative = 0;
        const values = REQUEST_BUCKETS.map((le, i) => {
          cumulative += buckets[i]!;
          return { metricName: `${DURATION}_bucket`, labels: { le, ...labels }, value: cumulative };
        });
        return [
          ...values,
          { metricName: `${DURATION}_bucket`, labels: { le: '+Inf', ...labels }, value: count },
          { metricName: `${DURATION}_sum`, labels, value: sum },
          { metricName: `${DURATION}_count`, labels, value: count },
        ];
      }),
    () => series.clear(),
  ));
  return record;
}

type Value = { labels: Record<string, string | number>; value: number; metricName?: string };

/**
 * A metric family as the registry reads it (get) and clears it (reset). prom-client's own
 * classes are this shape too; its type names only them, hence the cast.
 */
function family(name: string, type: 'counter' | 'histogram', help: string, values: () => Value[], reset: () => void): Metric {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
    reset,
  };
  return metric as unknown as Metric;
}
