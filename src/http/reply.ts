import type { Context } from 'koa';
import type { Reply } from '../dialects/dialect.ts';

/** An HTML page reply (docs, dev mailbox): JSON replies are the dialects' `Reply`. */
export interface HtmlReply extends Reply {
  html: string;
}

/** Bytes already encoded (the compressed docs page). */
export interface BytesReply extends Reply {
  bytes: Buffer;
  contentType: string;
}

export type AnyReply = Reply | HtmlReply | BytesReply;

/** Writes a reply to koa. A reply without a body is sent with no body and no content type. */
export function send(ctx: Context, reply: AnyReply): void {
  ctx.status = reply.status;
  for (const [name, value] of Object.entries(reply.headers ?? {})) ctx.set(name, value);
  if (ctx.method === 'HEAD') {
    // HEAD answers with the status and headers GET would have, and nothing else.
    ctx.body = '';
    ctx.remove('Content-Type');
  } else if ('bytes' in reply) {
    ctx.type = reply.contentType;
    ctx.body = reply.bytes;
  } else if ('html' in reply) {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = reply.html;
  } else if (reply.body === undefined) {
    ctx.body = '';
    ctx.remove('Content-Type');
  } else {
    ctx.type = reply.headers?.['Content-Type'] ?? 'application/json; charset=utf-8';
    ctx.body = JSON.stringify(reply.body);
  }
}
