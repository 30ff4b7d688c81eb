import type { WorkerMetrics } from './resetd-metrics.ts';

/** One counted event: which metric, inc or observe, its labels and value. */
type Forwarded = [name: keyof WorkerMetrics, call: 'inc' | 'observe', labels: Record<string, string>, value: number];

const CALLS: Record<keyof WorkerMetrics, 'inc' | 'observe'> = {
  deliveries: 'inc',
  deliveryDuration: 'observe',
  acceptedToSent: 'observe',
  directoryCalls: 'inc',
  directoryDuration: 'observe',
  rateLimitRefusals: 'inc',
};

/**
 * The worker thread's side: the calls of WorkerMetrics, kept in a list and posted to the
 * serving thread at most every `everyMs` (one message for many deliveries), where
 * applyForwarded counts them in the one registry /metrics shows.
 */
export function metricsForwarder(post: (events: Forwarded[]) => void, everyMs = 20): { metrics: WorkerMetrics; flush(): void } {
  let events: Forwarded[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (events.length === 0) return;
    post(events);
    events = [];
  };
  const recorder = (name: keyof WorkerMetrics) => {
    const record = (labels: Record<string, string>, value: number) => {
      events.push([name, CALLS[name], labels, value]);
      timer ??= setTimeout(flush, everyMs);
    };
    return CALLS[name] === 'inc' ? { inc: (labels: Record<string, string>, value = 1) => record(labels, value) } : { observe: record };
  };
  const metrics = Object.fromEntries(Object.keys(CALLS).map((name) => [name, recorder(name as keyof WorkerMetrics)])) as unknown as WorkerMetrics;
  return { metrics, flush };
}

/** The serving thread's side: counts what a worker thread forwarded; anything else is ignored. */
export function applyForwarded(metrics: WorkerMetrics, events: unknown): void {
  if (!Array.isArray(events)) return;
  for (const event of events as Forwarded[]) {
    const [name, call, labels, value] = event;
    if (!Object.hasOwn(CALLS, name) || CALLS[name] !== call || typeof value !== 'number') continue;
    const metric = metrics[name] as unknown as Record<typeof call, (labels: Record<string, string>, value: number) => void>;
    metric[call](labels, value);
  }
}
