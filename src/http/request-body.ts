import type { Context } from 'koa';
import type { ResetdContext } from './request-state.ts';
import bodyParser from 'koa-bodyparser';
import type { Operation } from 'openapi-backend';
import type { RequestFailure } from '../dialects/dialect.ts';
import { parseXmlBody } from './xml-body.ts';

/** Bodies over this are refused with 413 before they are read in full. */
export const BODY_LIMIT = '16kb';

// xmlLimit is an option of koa-bodyparser that its type definitions lack.
const parse = bodyParser({
  enableTypes: ['json', 'form', 'xml'],
  jsonLimit: BODY_LIMIT,
  formLimit: BODY_LIMIT,
  xmlLimit: BODY_LIMIT,
  strict: true,
  onerror(error: Error, ctx: Context) {
    ctx.state.bodyError = error;
  },
} as bodyParser.Options);

/**
 * Media types compare as RFC 9110 says: type and subtype in any case, spaces around
 * parameters allowed (`Application/JSON ; charset=UTF-8`). The header is rewritten in one
 * canonical form, so the body parser and the spec's validation see what resetd saw.
 */
function canonicalizeContentType(ctx: ResetdContext): void {
  const raw = ctx.req.headers['content-type'];
  if (!raw) return;
  const [essence = '', ...parameters] = raw.split(';');
  ctx.req.headers['content-type'] = [essence.trim().toLowerCase(), ...parameters.map((p) => p.trim()).filter(Boolean)].join('; ');
}

export type BodyResult = { ok: true; body: unknown } | { ok: false; failure: RequestFailure };

/** The spec marks the operation's body `x-resetd-stream`: its handler reads it as it arrives, and the body step leaves it unread. */
export function readsItsOwnBody(operation: Operation): boolean {
  const content = (operation.requestBody as { content?: Record<string, { 'x-resetd-stream'?: boolean }> } | undefined)?.content ?? {};
  return Object.values(content).some((media) => media['x-resetd-stream'] === true);
}

/**
 * Reads the body an operation declares, in one of the content types its spec lists.
 * `strictContentType`: a request with no content type is refused (415) rather than read
 * as empty; Unleash does so.
 */
export async function readRequestBody(
  ctx: ResetdContext,
  operation: Operation,
  strictContentType: boolean,
): Promise<BodyResult> {
  const content = (operation.requestBody as { content?: Record<string, unknown> } | undefined)?.content;
  if (!content) return { ok: true, body: undefined };
  canonicalizeContentType(ctx);
  const accepted = Object.keys(content);
  const type = ctx.request.type || undefined;
  const empty = !ctx.request.length && !ctx.get('Transfer-Encoding');
  // A streamed body (x-resetd-stream) is the handler's to read; without a content type it cannot be.
  const streamed = readsItsOwnBody(operation);
  if (type === undefined && empty && !strictContentType && !streamed) return { ok: true, body: {} };
  // Compressed bodies are not accepted: a body that only claims to be compressed left
  // zlib's stream undrained and the connection hanging.
  const encoding = ctx.get('Content-Encoding').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    ctx.set('Connection', 'close');
    return { ok: false, failure: { kind: 'unsupported-media-type', contentType: ctx.get('Content-Type') || undefined, accepted } };
  }
  if (type === undefined || !accepted.includes(type)) {
    return { ok: false, failure: { kind: 'unsupported-media-type', contentType: ctx.get('Content-Type') || undefined, accepted } };
  }
  if (streamed) return { ok: true, body: undefined };
  await parse(ctx, async () => {});
  const error = ctx.state.bodyError;
  if (error) {
    // What is left of a body that could not be read is not worth reading: end the connection.
    ctx.set('Connection', 'close');
    return { ok: false, failure: { kind: error.status === 413 ? 'too-large' : 'unreadable' } };
  }
  const body = (ctx.request as { body?: unknown }).body;
  if (type === 'application/x-www-form-urlencoded' && (content[type] as { 'x-resetd-json-under-form'?: boolean })['x-resetd-json-under-form']) {
    // maiascore's own documented example posts a JSON object under the form content type
    // (curl --data '{"id":"string"}'); where the spec says so, such a body is read as the
    // JSON it is. Every other form (the reset page's) is read as a form.
    const raw = String((ctx.request as { rawBody?: string }).rawBody ?? '').trim();
    if (raw.startsWith('{')) {
      try {
        const json: unknown = JSON.parse(raw);
        if (json && typeof json === 'object' && !Array.isArray(json)) return { ok: true, body: json };
      } catch {
        // not JSON after all: the form reading stands
      }
    }
  }
  if (type === 'application/xml') {
    const xml = parseXmlBody(typeof body === 'string' ? body : '');
    return xml.ok ? xml : { ok: false, failure: { kind: 'unreadable' } };
  }
  return { ok: true, body };
}
