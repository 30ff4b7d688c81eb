import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import type { ImportCounts, ImportReport } from '../core/import-users.ts';
import { importUsers } from '../core/import-users.ts';
import type { UserImportStore } from '../core/store.ts';
import { hashProblem } from '../password-hasher/hash-shape.ts';
import { byteCounter } from './byte-counter.ts';
import type { UsersFileFormat } from './read-users-file.ts';
import { readUsersFile } from './read-users-file.ts';

export interface ImportFileOptions {
  /** Bytes past which the read fails with TooLargeError (the admin API's cap). */
  maxBytes?: number;
  /** After each committed batch: bytes read so far and the counts. */
  onProgress?: (bytes: number, counts: ImportCounts) => void;
}

/** Rows per transaction: large enough that commits do not dominate, small enough to hold locks briefly. */
export const IMPORT_BATCH_SIZE = 1000;

/**
 * The import as `resetd users import` and the admin API run it: the stream read as it comes,
 * checked rows upserted a batch at a time. Throws UsersFileError (the header), TooLargeError,
 * or the input's own error; rows of batches committed before stay in.
 */
export async function importUsersFile(store: Pick<UserImportStore, 'importUsers'>, input: Readable, format: UsersFileFormat, options: ImportFileOptions = {}): Promise<ImportReport> {
  const counter = byteCounter(options.maxBytes);
  // pipeline hands an error of the input (a dropped connection) on to the reader, and ends the input with it.
  pipeline(input, counter, () => {});
  const clock = { now: () => new Date() };
  return importUsers({ store, hashes: { problem: hashProblem }, clock }, readUsersFile(counter, format), {
    batchSize: IMPORT_BATCH_SIZE,
    onProgress: options.onProgress && ((counts) => options.onProgress!(counter.bytes, counts)),
  });
}
