import type { OutboxState } from './outbox-item.ts';
import type { Clock } from './ports.ts';
import type { DeadOutboxItem, OutboxStore } from './store.ts';

/** What the operator sees of the mail queue (`resetd mail stats`). */
export interface OutboxStats {
  /** Waiting or being sent now. */
  queueDepth: number;
  byState: Record<OutboxState, number>;
  retried: number;
  /** Acceptance to SMTP acceptance over the last hour, in milliseconds; null without mail. */
  sendLatencyMs: { p50: number; p95: number; max: number; count: number } | null;
}

const HOUR = 3_600_000;

export async function outboxStats(deps: { store: OutboxStore; clock: Clock }): Promise<OutboxStats> {
  const counts = await deps.store.outboxCounts(new Date(deps.clock.now().getTime() - HOUR));
  const sorted = [...counts.latenciesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    queueDepth: counts.byState.pending + counts.byState.sending,
    byState: counts.byState,
    retried: counts.retried,
    sendLatencyMs: sorted.length === 0 ? null : { p50: at(0.5), p95: at(0.95), max: sorted.at(-1)!, count: sorted.length },
  };
}

export function listDeadMail(deps: { store: OutboxStore }, limit = 100): Promise<DeadOutboxItem[]> {
  return deps.store.listDeadOutboxItems(limit);
}

/** Gives dead mail another full set of attempts; `ids` null means all of it. */
export function retryDeadMail(deps: { store: OutboxStore; clock: Clock }, ids: readonly string[] | null): Promise<number> {
  return deps.store.retryDeadOutboxItems(ids, deps.clock.now());
}
