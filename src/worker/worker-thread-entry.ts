import { parentPort, workerData } from 'node:worker_threads';
import { openDirectory } from '../directory/open-directory.ts';
import { limiterFactoryFor } from '../limits/limiter-backend.ts';
import { createLogger } from '../log/logger.ts';
import { smtpTransport } from '../mail/transports.ts';
import { countedLimiters } from '../metrics/counted-limiters.ts';
import { metricsForwarder } from '../metrics/forwarded-metrics.ts';
import { measuredDirectory } from '../metrics/measured-directory.ts';
import { argon2idHasher } from '../password-hasher/argon2id-hasher.ts';
import { openStore } from '../store/open-store.ts';
import { startMailWorker, systemClock } from './mail-worker.ts';
import type { FromWorkerThread, ToWorkerThread, WorkerThreadData } from './worker-thread.ts';

// The worker thread of `resetd serve` (worker-thread.ts): the serving thread's settings, a
// store connection, directory and SMTP pool of its own, its counts forwarded, its log lines
// marked. It loads only what sending needs (none of the HTTP face).
const port = parentPort!;
const post = (message: FromWorkerThread) => port.postMessage(message);
const { config, logFormat } = workerData as WorkerThreadData;
const log = createLogger({ level: config.logLevel, format: logFormat, production: config.production }).child({ thread: 'worker' });
const forwarder = metricsForwarder((events) => post({ type: 'metrics', events }));
const clock = systemClock;
const store = await openStore(config.databaseUrl, config.databasePoolSize);
const directory = measuredDirectory(await openDirectory(config.directory, { store, hasher: argon2idHasher, clock }), forwarder.metrics);
const transport = smtpTransport(config.smtpUrl!, config.mailLeaseMs);
const limiters = countedLimiters(limiterFactoryFor(store), forwarder.metrics);
const worker = startMailWorker(config, { store, directory, transport, limiters, clock, log, metrics: forwarder.metrics });

port.on('message', async (message: ToWorkerThread) => {
  if (message.type === 'wake') worker.wake();
  else if (message.type === 'stop') {
    await worker.stop();
    transport.close();
    await directory.close();
    await store.close();
    forwarder.flush();
    post({ type: 'stopped' });
    // Only this thread ends; pools and timers the libraries left open cannot keep it alive.
    process.exit(0);
  }
});
post({ type: 'ready' });
