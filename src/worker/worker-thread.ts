import type { Worker } from 'node:worker_threads';
import type { Config } from '../config.ts';
import type { LogFormat } from '../log/logger.ts';
import type { Logger } from '../log/logger.ts';
import { applyForwarded } from '../metrics/forwarded-metrics.ts';
import type { WorkerMetrics } from '../metrics/resetd-metrics.ts';
import { newThread, stopThread } from '../threads.ts';
import type { OutboxWorker } from './outbox-worker.ts';

/** Messages between the serving thread and the worker thread (worker-thread-entry.ts). */
export type ToWorkerThread = { type: 'wake' } | { type: 'stop' };
export type FromWorkerThread = { type: 'ready' } | { type: 'metrics'; events: unknown } | { type: 'stopped' };

export interface WorkerThreadData {
  config: Config;
  logFormat: LogFormat;
}

const YOUNG_MB = 12;

/** A crashed worker thread is started again after this long; mail waits meanwhile, nothing is lost. */
const RESTART_AFTER_MS = 1_000;

// A delivery's objects are short-lived and few at a time: a small young generation (V8's
// default is sized for the machine's memory, 48 MB here) keeps the thread's share of the
// process's memory small (RSS under load about 205 → 190 MB), for about 3% of its sending
// rate, measured beside the answers.
const threadOf = (workerData: WorkerThreadData) => newThread(import.meta.url, 'worker-thread-entry', workerData, { maxYoungGenerationSizeMb: YOUNG_MB });

/**
 * `resetd serve`'s mail worker in a thread of its own: it has the same settings, opens
 * its own store connection and SMTP pool, and leaves the serving thread's event loop to
 * the answers (on a 2-core machine the two no longer take turns). Its counts arrive as
 * messages and are counted in the serving thread's registry, so /metrics shows both.
 */
export async function startWorkerThread(options: { config: Config; log: Logger; metrics: WorkerMetrics; logFormat: LogFormat }): Promise<OutboxWorker> {
  let stopping = false;
  let thread: Worker;
  let alive = false;
  let restart: NodeJS.Timeout | undefined;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      // The serving thread's settings, and how it decided to write logs (a terminal or not).
      let ready = false;
      thread = threadOf({ config: options.config, logFormat: options.logFormat });
      alive = true;
      thread.on('message', (message: FromWorkerThread) => {
        if (message.type === 'ready') {
          ready = true;
          resolve();
        } else if (message.type === 'metrics') applyForwarded(options.metrics, message.events);
      });
      thread.on('error', (error) => {
        options.log.error('worker.thread_failed', { err: error });
        reject(error);
      });
      thread.on('exit', (code) => {
        alive = false;
        // One that never started (its store unreachable, say) fails the start instead.
        if (!ready) return reject(new Error(`the worker thread exited with ${code} before it was ready`));
        if (stopping) return;
        options.log.error('worker.thread_exited', { code, restartInMs: RESTART_AFTER_MS });
        restartLater();
      });
    });
  // Again and again, a second apart, until one starts (or resetd stops).
  const restartLater = () => {
    restart = setTimeout(() => start().catch(() => !stopping && restartLater()), RESTART_AFTER_MS);
  };
  await start();

  let wakePending = false;
  return {
    wake() {
      // One message per turn of the event loop, after the answers of that turn are written.
      if (wakePending) return;
      wakePending = true;
      setImmediate(() => {
        wakePending = false;
        thread.postMessage({ type: 'wake' } satisfies ToWorkerThread);
      });
    },
    async stop() {
      stopping = true;
      clearTimeout(restart);
      // A thread that crashed and waits to be started again has nothing to finish.
      if (!alive) return;
      await stopThread(thread, { type: 'stop' } satisfies ToWorkerThread);
    },
  };
}
