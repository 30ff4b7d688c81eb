import type { ResetdMetrics } from './resetd-metrics.ts';

/** Records one answered request: its operationId (undefined: no route), dialect (undefined: resetd's own), status and duration. */
export type RecordRequest = (operation: string | undefined, dialect: string | undefined, status: number, seconds: number) => void;

type OperationLabels = { operation: string; dialect: string };
type RequestLabels = OperationLabels & { status: string };

/**
 * On the hot path: label objects are made once per operation and status and reused, so
 * counting a request allocates nothing. Both keys are bounded (the spec's operations, the
 * statuses resetd sends), so the caches are too.
 */
export function requestRecorder(metrics: Pick<ResetdMetrics, 'requests' | 'requestDuration'>): RecordRequest {
  const byOperation = new Map<string, { labels: OperationLabels; byStatus: Map<number, RequestLabels> }>();
  return (operation, dialect, status, seconds) => {
    // A request no route matched may still be a dialect's (by its path prefix).
    const key = operation ?? (dialect === undefined ? 'unmatched' : `unmatched ${dialect}`);
    let entry = byOperation.get(key);
    if (entry === undefined) {
      entry = { labels: { operation: operation ?? 'unmatched', dialect: dialect ?? 'resetd' }, byStatus: new Map() };
      byOperation.set(key, entry);
    }
    let labels = entry.byStatus.get(status);
    if (labels === undefined) {
      labels = { ...entry.labels, status: String(status) };
      entry.byStatus.set(status, labels);
    }
    metrics.requests.inc(labels);
    metrics.requestDuration.observe(entry.labels, seconds);
  };
}
