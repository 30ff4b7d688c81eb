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
 * it lists none), and the body must match that media type's schema.
 */
const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as Record<string, any>;
const router = new OpenAPIBackend({ definition: structuredClone(spec) as Document, quick: true, validate: false });
router.init();
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajvFormats.default(ajv as never);
ajv.addSchema(spec, 'spec');

/** `operationId status` pairs seen so far, `status` as the spec keys it (`default` too). */
export const exercised = new Set<string>();

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

export function checkResponse(method: string, path: string, status: number, contentType: string | null, text: string): { operationId: string; json: any } {
  const operation = router.matchOperation({ method, path, headers: {}, query: {} });
  if (!operation) throw new Error(`${method} ${path} is not an operation of the spec`);
  const operationId = operation.operationId!;
  const responses = spec.paths[operation.path][operation.method].responses as Record<string, unknown>;
  const key = String(status) in responses ? String(status) : 'default' in responses ? 'default' : null;
  if (key === null) throw new Error(`${operationId} answered ${status}, which its spec does not document: ${text.slice(0, 300)}`);
  const response = resolve(responses[key]);
  exercised.add(`${operationId} ${key}`);
  if (!response.content) {
    if (text.length > 0 || contentType) throw new Error(`${operationId} ${status} must have no body, got ${contentType}: ${text.slice(0, 200)}`);
    return { operationId, json: undefined };
  }
  const mediaType = (contentType ?? '').split(';')[0]!.trim();
  if (!(mediaType in response.content)) {
    throw new Error(`${operationId} ${status} answered ${contentType}; the spec lists ${Object.keys(response.content).join(', ')}`);
  }
  const responseRef = responses[key] as { $ref?: string };
  const base = responseRef.$ref
    ? responseRef.$ref.replace(/^#/, '')
    : `/${pointer('paths', operation.path, operation.method, 'responses', key)}`;
  const schemaRef = `spec#${base}/${pointer('content', mediaType, 'schema')}`;
  const json = /json/.test(mediaType) ? JSON.parse(text) : text;
  const validate = ajv.getSchema(schemaRef);
  if (!validate) throw new Error(`no schema at ${schemaRef}`);
  if (!validate(json)) {
    throw new Error(`${operationId} ${status} body does not match the spec: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 300)}`);
  }
  return { operationId, json };
}

/** fetch, then check the response against the spec; throws on any deviation. */
export async function contractFetch(url: string, init: RequestInit = {}): Promise<CheckedResponse> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  const text = await response.text();
  const { pathname } = new URL(url);
  const checked = checkResponse(init.method ?? 'GET', pathname, response.status, response.headers.get('content-type'), text);
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
