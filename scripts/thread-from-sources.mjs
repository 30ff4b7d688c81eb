// A worker thread's TypeScript entry, run from the sources (tests, tsx): tsx is registered in
// the thread first, then the entry named in workerData is loaded. The compiled build (dist/)
// starts its threads from JavaScript and never uses this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
