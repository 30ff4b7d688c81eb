import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** generated/openapi.yaml: the merged spec every request is routed and validated by. */
export const SPEC_PATH = fileURLToPath(new URL('../../generated/openapi.yaml', import.meta.url));
/** The same spec as JSON, written beside the compiled code by the build (scripts/build.mjs). */
const SPEC_JSON_PATH = fileURLToPath(new URL('../../generated/openapi.json', import.meta.url));
export const DOCS_PATH = fileURLToPath(new URL('../../generated/docs.html', import.meta.url));

export function loadSpec(): Record<string, unknown> {
  // Parsing the YAML took a quarter of a second of every start; JSON takes a millisecond.
  if (existsSync(SPEC_JSON_PATH)) return JSON.parse(readFileSync(SPEC_JSON_PATH, 'utf8')) as Record<string, unknown>;
  return parse(readFileSync(SPEC_PATH, 'utf8')) as Record<string, unknown>;
}

/**
 * The docs page is committed with the spec; its absence is a broken install. Read as bytes,
 * as it is served: decoded, the 2.6 MB page was a 5.3 MB string (UTF-16, for its few
 * non-Latin-1 characters) kept in the heap for the life of the process.
 */
export function loadDocsPage(): Buffer {
  return readFileSync(DOCS_PATH);
}
