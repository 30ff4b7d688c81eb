import type { DeliverOutcome } from '../core/deliver-outbox.ts';
import { forgetOldRecords } from '../core/outbox-retention.ts';
import type { Clock } from '../core/ports.ts';
import type { Store } from '../core/store.ts';
import type { OutboxItem } from '../core/outbox-item.ts';

export interface OutboxWorkerOptions {
  store: Store;
  clock: Clock;
  deliver: (request: OutboxItem) => Promise<DeliverOutcome>;
  /** Requests claimed at once; they are sent concurrently. */
  batchSize: number;
  /** How long a claim holds before another worker may take the request over. */
  leaseMs: number;
  /** Longest sleep between looks at the store when nobody wakes the worker. */
  pollMs: number;
  /** RETENTION_DAYS: what is older is deleted between deliveries (core/outbox-retention.ts). */
  retentionDays: number;
  /** Rows of each kind one retention pass deletes at most, so it never holds the store long. */
  retentionBatchSize?: number;
  /** Time between retention passes while there is nothing more to delete. */
  retentionEveryMs?: number;
  onError?: (error: unknown) => void;
  /** Told the outcome and duration of every delivery attempt (src/metrics counts them). */
  observer?: DeliveryObserver;
}

/** Watches deliveries: `outcome` is the core's, or 'failed' when delivering threw (the store could not record it). */
export interface DeliveryObserver {
  delivered(item: OutboxItem, outcome: DeliverOutcome['kind'] | 'failed', seconds: number, now: Date): void;
}

const RETENTION_BATCH_SIZE = 500;
const RETENTION_EVERY_MS = 60_000;

export interface OutboxWorker {
  /** There is new work: look now instead of at the next poll. */
  wake(): void;
  /** Finishes the batch in hand, then stops. */
  stop(): Promise<void>;
}

/** Claims due outbox items in batches and hands each to the core to deliver. */
export function startOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  let running = true;
  let woken = false;
  let sleeper: (() => void) | undefined;
  // The first pass runs at start: a worker that was down for a while catches up first.
  let nextForget = 0;
  const retention = { store: options.store, clock: options.clock, retentionDays: options.retentionDays };

  /** One bounded batch when it is due; true when a full batch suggests more right away. */
  const forgetWhenDue = async (now: Date): Promise<boolean> => {
    if (now.getTime() < nextForget) return false;
    let more = false;
    try {
      more = (await forgetOldRecords(retention, options.retentionBatchSize ?? RETENTION_BATCH_SIZE)).more;
    } catch (error) {
      options.onError?.(error);
    }
    nextForget = more ? 0 : now.getTime() + (options.retentionEveryMs ?? RETENTION_EVERY_MS);
    return more;
  };

  const deliverOne = async (item: OutboxItem): Promise<DeliverOutcome | undefined> => {
    const started = performance.now();
    let outcome: DeliverOutcome | undefined;
    try {
      outcome = await options.deliver(item);
      return outcome;
    } catch (error) {
      options.onError?.(error);
      return undefined;
    } finally {
      options.observer?.delivered(item, outcome?.kind ?? 'failed', (performance.now() - started) / 1000, options.clock.now());
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        sleeper = undefined;
        resolve();
      }
      sleeper = done;
    });

  const loop = (async () => {
    while (running) {
      woken = false;
      let claimed: OutboxItem[] = [];
      // A retry this worker scheduled sooner than the next poll brings the next look forward.
      let nextLook = options.pollMs;
      try {
        const now = options.clock.now();
        const leaseUntil = new Date(now.getTime() + options.leaseMs);
        claimed = await options.store.claimOutbox(now, leaseUntil, options.batchSize);
        const outcomes = await Promise.all(claimed.map(deliverOne));
        for (const outcome of outcomes) {
          if (outcome?.kind === 'retry') nextLook = Math.min(nextLook, outcome.at.getTime() - now.getTime());
        }
      } catch (error) {
        options.onError?.(error);
      }
      // Between deliveries, never during them: a backlog of old rows goes one batch per turn.
      if (running && (await forgetWhenDue(options.clock.now()))) nextLook = 0;
      if (running && claimed.length < options.batchSize && !woken) await sleep(Math.max(0, nextLook));
    }
  })();

  return {
    wake() {
      // After this turn of the event loop, so the answer to the request that woke the
      // worker is written first: the worker's work (which differs for a known and an
      // unknown address) never adds to that answer's latency.
      if (woken) return;
      woken = true;
      setImmediate(() => sleeper?.());
    },
    async stop() {
      running = false;
      sleeper?.();
      await loop;
    },
  };
}
