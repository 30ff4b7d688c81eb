import type { DeliverOutcome } from '../core/deliver-outbox.ts';
import { forgetOldRecords } from '../core/outbox-retention.ts';
import type { Clock } from '../core/ports.ts';
import type { Store } from '../core/store.ts';
import type { OutboxItem } from '../core/outbox-item.ts';

export interface OutboxWorkerOptions {
  store: Store;
  clock: Clock;
  deliver: (request: OutboxItem) => Promise<DeliverOutcome>;
  /** Deliveries in flight at most (MAIL_BATCH_SIZE); the window is refilled when half of it is free. */
  batchSize: number;
  /** How long a claim holds before another worker may take the request over. */
  leaseMs: number;
  /** Longest sleep between looks at the store when nobody wakes the worker. */
  pollMs: number;
  /** Shortest time between two looks that a wake starts (WAKE_GAP_MS by default). */
  wakeGapMs?: number;
  /** RETENTION_DAYS: what is older is deleted, one bounded batch at each look for mail (core/outbox-retention.ts). */
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
/**
 * A wake starts a look no sooner than this after the last one. Under a stream of requests
 * each look then claims what several turns of the serving loop committed, so the worker's
 * own commits (claims, outcomes) come some hundred times a second rather than once per turn
 * of that loop, and contend far less with the request path for SQLite's write lock. A mail
 * leaves at most this much later.
 */
const WAKE_GAP_MS = 10;
const RETENTION_EVERY_MS = 60_000;

export interface OutboxWorker {
  /** There is new work: look now instead of at the next poll. */
  wake(): void;
  /** Finishes the deliveries in hand, then stops. */
  stop(): Promise<void>;
}

/** Claims due outbox items in batches and hands each to the core to deliver. */
export function startOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  let running = true;
  let woken = false;
  let sleeper: (() => void) | undefined;
  const wakeGapMs = options.wakeGapMs ?? WAKE_GAP_MS;
  let lastLook = Number.NEGATIVE_INFINITY;
  const gapLeft = () => lastLook + wakeGapMs - performance.now();
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

  // A window of up to batchSize deliveries in flight, refilled as soon as half of it is
  // free rather than after the slowest of a batch: a backlog keeps every SMTP connection busy.
  const inFlight = new Set<Promise<void>>();
  let slotFreed: (() => void) | undefined;
  // The soonest retry a delivery scheduled (ms since the epoch): the next look comes no later.
  let retryAt = Number.POSITIVE_INFINITY;
  const start = (item: OutboxItem) => {
    const delivery: Promise<void> = deliverOne(item).then((outcome) => {
      inFlight.delete(delivery);
      if (outcome?.kind === 'retry' && outcome.at.getTime() < retryAt) {
        retryAt = outcome.at.getTime();
        sleeper?.();
      }
      slotFreed?.();
    });
    inFlight.add(delivery);
  };
  const halfFree = () =>
    new Promise<void>((resolve) => {
      slotFreed = () => {
        if (inFlight.size > options.batchSize / 2 && running) return;
        slotFreed = undefined;
        resolve();
      };
      slotFreed();
    });

  const loop = (async () => {
    while (running) {
      woken = false;
      lastLook = performance.now();
      const room = options.batchSize - inFlight.size;
      let claimed: OutboxItem[] = [];
      const now = options.clock.now();
      try {
        claimed = await options.store.claimOutbox(now, new Date(now.getTime() + options.leaseMs), room);
        claimed.forEach(start);
      } catch (error) {
        options.onError?.(error);
      }
      // Bounded batches of old rows, one per look while there is a backlog of them.
      const moreToForget = running && (await forgetWhenDue(options.clock.now()));
      if (!running) break;
      if (claimed.length === room || moreToForget) {
        await halfFree();
        continue;
      }
      if (retryAt <= now.getTime()) retryAt = Number.POSITIVE_INFINITY;
      if (!woken) await sleep(Math.max(0, Math.min(options.pollMs, retryAt - now.getTime())));
      else if (gapLeft() > 0) await sleep(gapLeft());
    }
    await Promise.all(inFlight);
  })();

  return {
    wake() {
      // After this turn of the event loop, so the answer to the request that woke the
      // worker is written first: the worker's work (which differs for a known and an
      // unknown address) never adds to that answer's latency.
      if (woken) return;
      woken = true;
      const left = gapLeft();
      if (left > 0) setTimeout(() => sleeper?.(), left);
      else setImmediate(() => sleeper?.());
    },
    async stop() {
      running = false;
      sleeper?.();
      slotFreed?.();
      await loop;
    },
  };
}
