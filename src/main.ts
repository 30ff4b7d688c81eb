import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIPv6 } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { Config } from './config.ts';
import { ConfigError, isLoopback, loadConfig, mailDestinationProblem } from './config.ts';
import type { Clock } from './core/ports.ts';
import type { Store } from './core/store.ts';
import { svgCaptchaImages } from './captcha-images/svg-captcha-images.ts';
import { createApp } from './http/app.ts';
import { gracefulClose } from './http/graceful-close.ts';
import { failureLimiter } from './limits/failure-limiter.ts';
import { loadDocsPage } from './http/spec.ts';
import type { Logger } from './log/logger.ts';
import { createLogger, readableLogs } from './log/logger.ts';
import type { DevMailbox } from './mail/dev-mailbox.ts';
import { createDevMailbox } from './mail/dev-mailbox.ts';
import type { OutboxWorker } from './worker/outbox-worker.ts';
import { coreSettingsOf, startMailWorker, systemClock } from './worker/mail-worker.ts';
import { startWorkerThread } from './worker/worker-thread.ts';
import { smtpTransport } from './mail/transports.ts';
import { argon2idHasher } from './password-hasher/argon2id-hasher.ts';
import { createPasswordVerifier } from './password-hasher/password-verifier.ts';
import { verifyLimiter } from './limits/verify-limits.ts';
import { sitePasswordPolicy } from './password-strength/site-password-policy.ts';
import { openStore } from './store/open-store.ts';
import { checkDirectorySettings, openDirectory } from './directory/open-directory.ts';
import { limiterFactoryFor } from './limits/limiter-backend.ts';
import { countedLimiters } from './metrics/counted-limiters.ts';
import { measuredDirectory } from './metrics/measured-directory.ts';
import type { MetricsServer } from './metrics/metrics-server.ts';
import { startMetricsServer } from './metrics/metrics-server.ts';
import { watchOutbox } from './metrics/outbox-gauges.ts';
import { createMetrics } from './metrics/resetd-metrics.ts';

export interface Resetd {
  /** Where the HTTP role listens; '' for a worker-only process. */
  url: string;
  server: Server | null;
  store: Store;
  mailbox: DevMailbox | null;
  /** Where METRICS_PORT serves /metrics without a token; null without that setting. */
  metricsUrl: string | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Time; tests move it to expire tokens. */
  clock?: Clock;
  /** `serve` answers HTTP (and runs the worker unless RESETD_WORKER=off); `worker` only sends. */
  role?: 'serve' | 'worker';
  /**
   * `serve` runs its worker in a thread of its own (worker-thread.ts) when mail goes out by
   * SMTP; the dev mailbox lives in the serving thread, so its worker does too. `npm start`
   * and `resetd serve` set it; tests that move the clock keep one thread.
   */
  workerThread?: boolean;
  /**
   * `serve` on SQLite leaves checkpoints to a thread of their own (wal-checkpointer.ts), off
   * the answers' event loop. `npm start` and `resetd serve` set it.
   */
  checkpointThread?: boolean;
}

/** The one place where the real parts are wired together. */
export async function startResetd(config: Config, options: StartOptions = {}): Promise<Resetd> {
  const log = options.log ?? createLogger({ level: config.logLevel, format: config.logFormat, production: config.production });
  const clock = options.clock ?? systemClock;
  const role = options.role ?? 'serve';
  const nowhere = mailDestinationProblem(config, role);
  if (nowhere !== null) throw new ConfigError([nowhere]);
  const mailbox = config.smtpUrl === null && config.devMailbox ? createDevMailbox() : null;
  const threaded = role === 'serve' && config.worker && options.workerThread === true && config.smtpUrl !== null;
  // Mail leaves from this thread only when its worker runs here; the worker thread has a pool of its own.
  const sendsHere = !threaded && (role === 'worker' || config.worker);
  const transport = !sendsHere ? null : config.smtpUrl !== null ? smtpTransport(config.smtpUrl, config.mailLeaseMs) : mailbox!;
  const directoryProblems = await checkDirectorySettings(config.directory);
  if (directoryProblems.length > 0) throw new ConfigError(directoryProblems);
  const checkpointer = { onFailure: (error: unknown) => log.error('store.checkpointer_failed', { err: error }) };
  const store = await openStore(config.databaseUrl, config.databasePoolSize, role === 'serve' && options.checkpointThread ? { checkpointer } : {});
  // One registry per instance: tests run several in one process.
  const metrics = createMetrics();
  watchOutbox(metrics.registry, { store, clock });
  const directory = measuredDirectory(await openDirectory(config.directory, { store, hasher: argon2idHasher, clock }), metrics);
  const settings = coreSettingsOf(config);
  const limiters = countedLimiters(limiterFactoryFor(store), metrics);
  let worker: OutboxWorker | null = null;
  if (threaded) {
    const logFormat = readableLogs({ format: config.logFormat, production: config.production }) ? 'pretty' : 'json';
    worker = await startWorkerThread({ config, log, metrics, logFormat }).catch(async (error) => {
      await store.close();
      throw error;
    });
  } else if (transport !== null) {
    worker = startMailWorker(config, { store, directory, transport, limiters, clock, log, metrics });
  }

  const closeWorkerAndStore = async () => {
    transport?.close();
    await directory.close();
    await store.close();
  };
  const startMetricsPort = async (): Promise<MetricsServer | null> => {
    if (config.metricsPort === null) return null;
    try {
      return await startMetricsServer(metrics, config.metricsHost, config.metricsPort, log);
    } catch (error) {
      // resetd does not start half-way: what started is stopped, and the cause is named.
      await worker?.stop();
      await closeWorkerAndStore();
      throw new Error(`METRICS_PORT: cannot listen on ${config.metricsHost}:${config.metricsPort} (${(error as Error).message})`);
    }
  };
  if (role === 'worker') {
    const metricsServer = await startMetricsPort();
    const stop = async () => {
      await Promise.all([worker?.stop(), metricsServer?.close()]);
      await closeWorkerAndStore();
    };
    return { url: '', server: null, store, mailbox: null, metricsUrl: metricsServer?.url ?? null, stop };
  }

  const app = createApp({
    store,
    directory,
    clock,
    hasher: argon2idHasher,
    mailbox,
    docsHtml: loadDocsPage(),
    passwords: sitePasswordPolicy(config),
    verification: { verifier: await createPasswordVerifier(), limiter: verifyLimiter(limiters, config.verifyLimits) },
    failures: failureLimiter(limiters, { keyPrefix: 'reset-failures', points: config.rateLimitResetFailures, windowSeconds: 15 * 60 }),
    settings,
    page: { basePath: new URL(config.publicUrl).pathname.replace(/\/+$/, ''), minLength: config.passwordMinLength, brands: config.brands },
    wake: worker ? () => worker.wake() : undefined,
    dialects: config.dialects,
    apiKeysRequired: config.apiKeysRequired,
    adminToken: config.adminToken,
    rateLimitAdminFailures: config.rateLimitAdminFailures,
    trustedProxies: config.trustedProxies,
    images: svgCaptchaImages,
    captchaRequired: new Set(config.cloudreveCaptcha ? ['cloudreve' as const] : []),
    rateLimitIp: config.rateLimitIp,
    rateLimitApiKey: config.rateLimitApiKey,
    limiters,
    log,
    metrics,
    metricsToken: config.metricsToken,
    recordRequest: metrics.recordRequest,
  });
  const server = app.listen(config.port, config.host);
  const http = gracefulClose(server);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  let metricsServer: MetricsServer | null;
  try {
    metricsServer = await startMetricsPort();
  } catch (error) {
    server.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const local = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
  const url = `http://${isIPv6(local) ? `[${local}]` : local}:${port}`;
  if (mailbox && !isLoopback(config.host)) {
    // Asked for (DEV_MAILBOX=on): allowed, but whoever reaches the port reads every reset link.
    log.warn('dev_mailbox.exposed', { warning: 'dev mailbox is reachable from the network', host: config.host, path: '/dev/mailbox' });
  }

  return {
    url,
    server,
    store,
    mailbox,
    metricsUrl: metricsServer?.url ?? null,
    async stop() {
      // Requests in flight still use the store and the directory; the worker stops meanwhile.
      const [cut] = await Promise.all([http.close(config.shutdownTimeoutSeconds * 1000), worker?.stop(), metricsServer?.close()]);
      if (cut > 0) log.warn('resetd.requests_cut', { requests: cut, afterSeconds: config.shutdownTimeoutSeconds });
      await closeWorkerAndStore();
    },
  };
}

/** After SHUTDOWN_TIMEOUT, how long closing the worker, directory and store may still take. */
const STOP_MARGIN_SECONDS = 5;

/** `npm start`, `resetd serve` and `resetd worker`: load the settings, start, stop cleanly on a signal. */
export async function runServer(role: 'serve' | 'worker' = 'serve'): Promise<void> {
  let config: Config;
  let log: Logger;
  let resetd: Resetd;
  try {
    config = loadConfig();
    log = createLogger({ level: config.logLevel, format: config.logFormat, production: config.production });
    resetd = await startResetd(config, { log, role, workerThread: true, checkpointThread: true });
  } catch (error) {
    // A process that cannot start says so in its exit code (2: the settings), so a supervisor
    // or script sees the failure; its callers keep a started server alive, so it exits here.
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  log.info('resetd.started', {
    role: role === 'worker' ? 'worker' : config.worker ? 'serve + worker' : 'serve',
    url: resetd.url || undefined,
    metrics: resetd.metricsUrl ? `${resetd.metricsUrl}/metrics` : config.metricsToken ? 'on /metrics with METRICS_TOKEN' : undefined,
    publicUrl: config.publicUrl,
    store: config.databaseUrl.split(':')[0],
    mail: config.smtpUrl ? 'smtp' : 'dev mailbox at /dev/mailbox',
    docs: `${config.publicUrl}/docs`,
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    // Ctrl-C under `npm start` arrives twice (from the terminal and forwarded by npm): the
    // second must not end the process while it finishes the requests in flight.
    if (stopping) return;
    stopping = true;
    log.info('resetd.stopping', { signal });
    // Closing the worker and the pools should take moments; one that hangs must not keep a
    // supervisor waiting for ever, and says so in the exit code.
    setTimeout(() => {
      log.error('resetd.stop_timeout', { afterSeconds: config.shutdownTimeoutSeconds + STOP_MARGIN_SECONDS });
      process.exit(1);
    }, (config.shutdownTimeoutSeconds + STOP_MARGIN_SECONDS) * 1000).unref();
    await resetd.stop();
    log.info('resetd.stopped', { signal });
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runServer().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
