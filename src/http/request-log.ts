import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import type { Logger } from '../log/logger.ts';
import type { Owner } from './owners.ts';
import type { AnyReply } from './reply.ts';
import type { RequestState, ResetdContext } from './request-state.ts';

/** A request id a proxy may hand over: short, and only characters safe in a header, a log line and a grep pattern. */
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A path longer than this is cut in the access line: an unknown route must not flood the log. */
const MAX_LOGGED_PATH = 256;

export interface RequestLogDeps {
  log: Logger;
  /** Whether the peer is a trusted proxy, whose X-Request-Id is kept (client-ip.ts decides). */
  trustedPeer: (req: IncomingMessage) => boolean;
  clientIp: (ctx: ResetdContext) => string | null;
}

/**
 * The first step of every request: its id (a trusted proxy's X-Request-Id, else a new
 * UUID), sent back as X-Request-Id on every answer and bound to every log line of the
 * request (ctx.state.log); then, whatever happened, one access line when the answer is
 * ready. The path is logged without its query: the reset page's token travels there.
 */
export function requestLog(deps: RequestLogDeps): Middleware<RequestState> {
  return async (ctx, next) => {
    ctx.state.startedAt = performance.now();
    const sent = deps.trustedPeer(ctx.req) ? ctx.get('X-Request-Id') : '';
    const requestId = SANE_ID.test(sent) ? sent : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = deps.log.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const path = ctx.path.length > MAX_LOGGED_PATH ? `${ctx.path.slice(0, MAX_LOGGED_PATH)}…` : ctx.path;
      ctx.state.log.info('request', {
        method: ctx.method,
        path,
        operation: ctx.state.operation ?? null,
        dialect: ctx.state.dialect ?? 'resetd',
        status: ctx.status,
        durationMs: Math.round((performance.now() - ctx.state.startedAt) * 100) / 100,
        clientIp: deps.clientIp(ctx),
        bytes: ctx.response.length ?? 0,
        ...(ctx.state.errorId && { errorId: ctx.state.errorId }),
        ...(ctx.state.outboxId && { outboxId: ctx.state.outboxId }),
      });
    }
  };
}

/**
 * The request id as the error id of the owner's product (Cloudreve's correlation_id,
 * Unleash's id), so the id a user reports leads to the request's log lines. Those fields
 * are UUIDs: a proxy's id that is not one gets a UUID of its own, written in the access line.
 */
export function withErrorId(reply: AnyReply, owner: Owner, ctx: ResetdContext): AnyReply {
  const errorId = owner.dialect?.errorId;
  if (!errorId) return reply;
  const { requestId } = ctx.state;
  const id = UUID.test(requestId) ? requestId : randomUUID();
  const marked = errorId(reply, id);
  if (marked !== reply && id !== requestId) ctx.state.errorId = id;
  return marked;
}
