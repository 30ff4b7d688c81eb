import type { Config } from '../config.ts';
import { deliverOutboxItem } from '../core/deliver-outbox.ts';
import type { Directory } from '../core/directory.ts';
import type { Clock } from '../core/ports.ts';
import type { CoreSettings } from '../core/settings.ts';
import type { Store } from '../core/store.ts';
import type { LimiterFactory } from '../limits/limiter-backend.ts';
import { mailThrottle } from '../limits/mail-throttle.ts';
import type { Logger } from '../log/logger.ts';
import { createMailer } from '../mail/mailer.ts';
import type { MailTransport } from '../mail/transports.ts';
import { deliveryMetrics } from '../metrics/delivery-metrics.ts';
import type { WorkerMetrics } from '../metrics/resetd-metrics.ts';
import { createWebhookSender } from '../webhook/webhook-sender.ts';
import type { OutboxWorker } from './outbox-worker.ts';
import { startOutboxWorker } from './outbox-worker.ts';

export const systemClock: Clock = { now: () => new Date() };

/** What the core reads of the settings, on the request path and in the worker alike. */
export function coreSettingsOf(config: Config): CoreSettings {
  return {
    publicUrl: config.publicUrl,
    resetPaths: config.resetPaths,
    tokenTtlSeconds: config.tokenTtlSeconds,
    mailMaxAttempts: config.mailMaxAttempts,
    mailRetryBaseMs: config.mailRetryBaseMs,
    webhook: config.webhookUrl !== null,
  };
}

export interface MailWorkerDeps {
  store: Store;
  directory: Directory;
  transport: MailTransport;
  /** The store's rate-limit counters (the mail throttle's). */
  limiters: LimiterFactory;
  clock: Clock;
  log: Logger;
  metrics: WorkerMetrics;
}

/**
 * The mail worker over the parts it is given: the outbox loop, delivering each item through
 * the core with the mailer, the webhook sender and the mail throttle, one log line per
 * delivery. `resetd worker`, `resetd serve` with its worker in the serving thread, and the
 * worker thread (worker-thread-entry.ts) all start it here.
 */
export function startMailWorker(config: Config, deps: MailWorkerDeps): OutboxWorker {
  const { store, directory, clock, log } = deps;
  const mailer = createMailer({
    transport: deps.transport,
    senders: config.senders,
    messageIdDomain: new URL(config.publicUrl).hostname,
    tokenTtlSeconds: config.tokenTtlSeconds,
  });
  const webhook =
    config.webhookUrl !== null && config.webhookSecret !== null
      ? createWebhookSender(config.webhookUrl, config.webhookSecret, Math.floor(config.mailLeaseMs / 4))
      : null;
  const throttle = mailThrottle(deps.limiters, config.rateLimitEmailPerMinute, config.rateLimitEmailPerHour);
  const settings = coreSettingsOf(config);
  return startOutboxWorker({
    store,
    clock,
    batchSize: config.mailBatchSize,
    retentionDays: config.retentionDays,
    leaseMs: config.mailLeaseMs,
    pollMs: 1_000,
    deliver: async (item) => {
      const outcome = await deliverOutboxItem({ store, directory, mailer, webhook, throttle, clock, settings }, item);
      if (outcome.kind === 'no_account' && outcome.ambiguous) {
        log.warn('directory.ambiguous', { outboxId: item.id, directory: directory.name, matches: outcome.ambiguous });
      }
      // Logged without the address: the log must not become a list of accounts.
      log.info('outbox.delivery', { outboxId: item.id, kind: item.kind, origin: item.origin, outcome: outcome.kind, ...('error' in outcome && { error: outcome.error }) });
      return outcome;
    },
    onError: (error) => log.error('worker.failed', { err: error }),
    observer: deliveryMetrics(deps.metrics),
  });
}
