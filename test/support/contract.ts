import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { OpenAPIBackend } from 'openapi-backend';
import type { Document } from 'openapi-backend';
import { parse } from 'yaml';
import { SPEC_PATH } from '../../src/http/spec.ts';

/**
 * Checks responses against generated/openapi.yaml: the status must be documented for the
 * operation (or covered by `default`), the content type must be one it lists (none when
 * it lists none), the body must match that media type's schema, and every header the
 * response documents must match its schema, and be there when the spec requires it
 * (`required: true`, or `x-resetd-required-when`: required when the body's top-level
 * fields have these values, for Cloudreve's HTTP 200 that carries code 429).
 */
const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as Record<string, any>;
const router = new OpenAPIBackend({ definition: structuredClone(spec) as Document, quick: true, validate: false });
router.init();
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajvFormats.default(ajv as never);
ajv.addSchema(spec, 'spec');

/** `operationId status` pairs seen so far, `status` as the spec keys it (`default` too). */
export const exercised = new Set<string>();
/** `operationId status example` seen so far, for statuses that document several examples (see documentedVariants). */
export const observedVariants = new Set<string>();

export interface CheckedResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, when there is one. */
  json: any;
  operationId: string;
}

const pointer = (...parts: string[]) =>
  parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function resolve(node: any): any {
  if (node && typeof node.$ref === 'string') {
    const path = node.$ref.replace(/^#\//, '').split('/').map((p: string) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    return resolve(path.reduce((at: any, key: string) => at?.[key], spec));
  }
  return node;
}

/** Where a node lives, as a JSON pointer: its $ref's target, or `at` when it is inline. */
const locationOf = (node: { $ref?: string }, at: string) => (node.$ref ? node.$ref.replace(/^#/, '') : at);

/** A header's text as its schema's type: `"42"` is the integer 42; text that is no number stays text, and fails. */
function headerValue(text: string, schema: any): unknown {
  const type = resolve(schema)?.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** Whether every field named in `when` has that value in the body. */
const bodyHas = (when: Record<string, unknown>, json: unknown) =>
  typeof json === 'object' && json !== null && Object.entries(when).every(([field, value]) => (json as Record<string, unknown>)[field] === value);

function checkHeaders(what: string, response: any, at: string, headers: Headers, json: unknown): void {
  for (const [name, documented] of Object.entries((response.headers ?? {}) as Record<string, { $ref?: string }>)) {
    const header = resolve(documented);
    const value = headers.get(name);
    const when = header['x-resetd-required-when'] as Record<string, unknown> | undefined;
    if (value === null) {
      if (header.required === true) throw new Error(`${what} lacks the header ${name}, which the spec requires`);
      if (when && bodyHas(when, json)) throw new Error(`${what} lacks the header ${name}, which the spec requires when the body has ${JSON.stringify(when)}`);
      continue;
    }
    const schemaRef = `spec#${locationOf(documented, `${at}/${pointer('headers', name)}`)}/schema`;
    const validate = ajv.getSchema(schemaRef);
    if (!validate) throw new Error(`no schema at ${schemaRef}`);
    if (!validate(headerValue(value, header.schema))) {
      throw new Error(`${what} header ${name}: ${JSON.stringify(value)} does not match the spec: ${ajv.errorsText(validate.errors)}`);
    }
  }
}

/** Fields that differ in every occurrence of an answer; an example's other top-level values name its variant. */
const PER_OCCURRENCE = new Set(['id', 'correlation_id', 'expiresAt']);

/** Whether `json` is the documented example `example`: every top-level scalar the example has, except per-occurrence ones, is equal. */
function isExample(example: unknown, json: unknown): boolean {
  if (typeof example !== 'object' || example === null || typeof json !== 'object' || json === null) return false;
  return Object.entries(example).every(
    ([field, value]) => PER_OCCURRENCE.has(field) || (typeof value === 'object' && value !== null) || (json as Record<string, unknown>)[field] === value,
  );
}

export function checkResponse(method: string, path: string, status: number, headers: Headers, text: string): { operationId: string; json: any } {
  const contentType = headers.get('content-type');
  const operation = router.matchOperation({ method, path, headers: {}, query: {} });
  if (!operation) throw new Error(`${method} ${path} is not an operation of the spec`);
  const operationId = operation.operationId!;
  const responses = spec.paths[operation.path][operation.method].responses as Record<string, unknown>;
  const key = String(status) in responses ? String(status) : 'default' in responses ? 'default' : null;
  if (key === null) throw new Error(`${operationId} answered ${status}, which its spec does not document: ${text.slice(0, 300)}`);
  const response = resolve(responses[key]);
  const at = locationOf(responses[key] as { $ref?: string }, `/${pointer('paths', operation.path, operation.method, 'responses', key)}`);
  const what = `${operationId} ${status}`;
  exercised.add(`${operationId} ${key}`);
  if (!response.content) {
    if (text.length > 0 || contentType) throw new Error(`${what} must have no body, got ${contentType}: ${text.slice(0, 200)}`);
    checkHeaders(what, response, at, headers, undefined);
    return { operationId, json: undefined };
  }
  // Media types are case-insensitive (RFC 9110); the spec writes them in lower case.
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!(mediaType in response.content)) {
    throw new Error(`${what} answered ${contentType}; the spec lists ${Object.keys(response.content).join(', ')}`);
  }
  const schemaRef = `spec#${at}/${pointer('content', mediaType, 'schema')}`;
  const json = /json/.test(mediaType) ? JSON.parse(text) : text;
  const validate = ajv.getSchema(schemaRef);
  if (!validate) throw new Error(`no schema at ${schemaRef}`);
  if (!validate(json)) {
    throw new Error(`${what} body does not match the spec: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 300)}`);
  }
  checkHeaders(what, response, at, headers, json);
  const examples = Object.entries((response.content[mediaType].examples ?? {}) as Record<string, any>);
  if (examples.length > 1) {
    for (const [name, example] of examples) if (isExample(resolve(example).value, json)) observedVariants.add(`${operationId} ${key} ${name}`);
  }
  return { operationId, json };
}

/** fetch, then check the response against the spec; throws on any deviation. */
export async function contractFetch(url: string, init: RequestInit = {}): Promise<CheckedResponse> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  const text = await response.text();
  const { pathname } = new URL(url);
  const checked = checkResponse(init.method ?? 'GET', pathname, response.status, response.headers, text);
  return { status: response.status, headers: response.headers, text, ...checked };
}

/** Every `operationId status` the spec documents. */
export function documentedResponses(): string[] {
  const out: string[] = [];
  for (const [, item] of Object.entries(spec.paths as Record<string, any>)) {
    for (const [, operation] of Object.entries(item as Record<string, any>)) {
      if (!operation?.operationId) continue;
      for (const status of Object.keys(operation.responses)) out.push(`${operation.operationId} ${status}`);
    }
  }
  return out.sort();
}

/**
 * Every `operationId status example` where one status documents several examples (each a
 * variant of the answer: Cloudreve's codes inside its HTTP 200, resetd's expired and used
 * links…). A response is that variant when it matches the example (isExample).
 */
export function documentedVariants(): string[] {
  const out: string[] = [];
  for (const [, item] of Object.entries(spec.paths as Record<string, any>)) {
    for (const [, operation] of Object.entries(item as Record<string, any>)) {
      if (!operation?.operationId) continue;
      for (const [status, documented] of Object.entries(operation.responses as Record<string, unknown>)) {
        for (const media of Object.values((resolve(documented).content ?? {}) as Record<string, any>)) {
          const names = Object.keys(media.examples ?? {});
          if (names.length > 1) out.push(...names.map((name) => `${operation.operationId} ${status} ${name}`));
        }
      }
    }
  }
  return [...new Set(out)].sort();
}
