import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  path: string;
  /** A path inside the folder. */
  file(name: string): string;
  /** Deletes the folder and everything in it. */
  remove(): void;
}

/** A new folder of its own under the system's temporary folder, named `resetd-<purpose>-…`. */
export function tempDir(purpose: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `resetd-${purpose}-`));
  return {
    path,
    file: (name) => join(path, name),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}
