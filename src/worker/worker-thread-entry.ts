import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../log/logger.ts';
import { startResetd } from '../main.ts';
import { metricsForwarder } from '../metrics/forwarded-metrics.ts';
import type { FromWorkerThread, ToWorkerThread, WorkerThreadData } from './worker-thread.ts';

// The worker thread of `resetd serve` (worker-thread.ts): the serving thread's settings, the
// worker role, its counts forwarded; its log lines say which thread wrote them.
const port = parentPort!;
const post = (message: FromWorkerThread) => port.postMessage(message);
const { config, logFormat } = workerData as WorkerThreadData;
const log = createLogger({ level: config.logLevel, format: logFormat, production: config.production }).child({ thread: 'worker' });
const forwarder = metricsForwarder((events) => post({ type: 'metrics', events }));
const resetd = await startResetd(config, { log, role: 'worker', inThread: { metrics: forwarder.metrics } });
port.on('message', async (message: ToWorkerThread) => {
  if (message.type === 'wake') resetd.wake?.();
  else if (message.type === 'stop') {
    await resetd.stop();
    forwarder.flush();
    post({ type: 'stopped' });
    // Only this thread ends; pools and timers the libraries left open cannot keep it alive.
    process.exit(0);
  }
});
post({ type: 'ready' });
