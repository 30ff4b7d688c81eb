import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ResourceLimits } from 'node:worker_threads';

/**
 * A thread running `entry`, a module beside `from` (the caller's import.meta.url) named
 * without its extension. In dist/ the entry is compiled JavaScript; run from the sources
 * (tests, tsx) it is TypeScript, which the thread loads through
 * scripts/thread-from-sources.mjs (tsx first).
 */
export function newThread(from: string, entry: string, workerData: object, resourceLimits?: ResourceLimits): Worker {
  const fromSources = extname(fileURLToPath(from)) === '.ts';
  const url = new URL(`./${entry}.${fromSources ? 'ts' : 'js'}`, from);
  return fromSources
    ? new Worker(new URL('../scripts/thread-from-sources.mjs', import.meta.url), { workerData: { ...workerData, entry: url.href }, resourceLimits })
    : new Worker(url, { workerData, resourceLimits });
}

/**
 * Asks a thread to end with `message` and waits for its exit. The thread is referenced again
 * meanwhile: awaiting an unreferenced thread's exit would let the process end under it.
 */
export async function stopThread(thread: Worker, message: unknown): Promise<void> {
  const exited = new Promise((resolve) => thread.once('exit', resolve));
  thread.ref();
  thread.postMessage(message);
  await exited;
}
