import type { DeliveryObserver } from '../worker/outbox-worker.ts';
import type { DeliveryOutcome, WorkerMetrics } from './resetd-metrics.ts';

/** The worker's deliveries, counted by outcome and timed; a sent item also by its time since acceptance. */
export function deliveryMetrics(metrics: Pick<WorkerMetrics, 'deliveries' | 'deliveryDuration' | 'acceptedToSent'>): DeliveryObserver {
  return {
    delivered(item, outcome, seconds, now) {
      const said: DeliveryOutcome = outcome === 'retry' ? 'retried' : outcome;
      metrics.deliveries.inc({ kind: item.kind, outcome: said });
      metrics.deliveryDuration.observe({ kind: item.kind }, seconds);
      if (outcome === 'sent') metrics.acceptedToSent.observe({ kind: item.kind }, Math.max(0, (now.getTime() - item.createdAt.getTime()) / 1000));
    },
  };
}
