import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Context } from 'koa';
import type { AnyReply } from './reply.ts';

/**
 * The API docs page, served as a static asset: compressed once at start, validated by
 * ETag, cacheable, and under a policy that lets it load nothing from any other host (it
 * is one self-contained file; Redoc runs its search in a worker made from a blob).
 */
export function docsPage(identity: Buffer) {
  // Compressed on first use, not at start (a 2.6 MB page at brotli's top quality takes
  // seconds); quality 5 is within a few per cent of the top and takes tens of milliseconds.
  // On the thread pool, so the event loop keeps answering meanwhile.
  let encoded: Promise<Record<'br' | 'gzip' | 'identity', Buffer>> | undefined;
  const encodings = () =>
    (encoded ??= Promise.all([
      promisify(brotliCompress)(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }),
      promisify(gzip)(identity, { level: 6 }),
    ]).then(([br, gz]) => ({ br, gzip: gz, identity })));
  const etag = `"${createHash('sha256').update(identity).digest('base64url').slice(0, 27)}"`;
  const headers = {
    ETag: etag,
    'Cache-Control': 'public, max-age=3600',
    Vary: 'Accept-Encoding',
    'Content-Security-Policy':
      "default-src 'none'; script-src 'self' 'unsafe-inline' blob:; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
  };
  return async (ctx: Context): Promise<AnyReply> => {
    if (ctx.get('If-None-Match').split(',').map((tag) => tag.trim().replace(/^W\//, '')).includes(etag)) {
      return { status: 304, headers };
    }
    const encoding = ctx.acceptsEncodings('br', 'gzip', 'identity') || 'identity';
    const bytes = (await encodings())[encoding as 'br' | 'gzip' | 'identity'] ?? identity;
    return {
      status: 200,
      bytes,
      contentType: 'text/html; charset=utf-8',
      headers: { ...headers, ...(encoding !== 'identity' && { 'Content-Encoding': encoding }) },
    };
  };
}
