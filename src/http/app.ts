import Koa from 'koa';
import type { Context as KoaContext } from 'koa';
import ajvFormats from 'ajv-formats';
import { OpenAPIBackend } from 'openapi-backend';
import type { Context, Document, Operation } from 'openapi-backend';
import type { Ajv } from 'ajv';
import type { DialectName } from '../core/dialects.ts';
import type { RequestFailure } from '../dialects/dialect.ts';
import type { Logger } from '../log/logger.ts';
import { errorField } from '../log/logger.ts';
import { credentialsOf, securityHandlers } from './auth.ts';
import { clientIpResolver } from './client-ip.ts';
import type { HandlerDeps } from './handlers.ts';
import { operationHandlers } from './handlers.ts';
import type { LimiterFactory } from '../limits/limiter-backend.ts';
import type { Owner, OwnerOf } from './owners.ts';
import { createOwners } from './owners.ts';
import type { LimitResult } from '../limits/rate-limits.ts';
import { perMinuteLimit } from '../limits/rate-limits.ts';
import type { AnyReply } from './reply.ts';
import { send } from './reply.ts';
import { readRequestBody } from './request-body.ts';
import { loadSpec } from './spec.ts';
import { describeValidationErrors } from './validation-failure.ts';

export interface AppDeps extends Omit<HandlerDeps, 'clientIp'> {
  dialects: ReadonlySet<DialectName>;
  adminToken: string | null;
  trustedProxies: readonly string[];
  /** Requests per minute from one client IP to one endpoint; 0: no limit. */
  rateLimitIp: number;
  /** Requests per minute with one API key; 0: no limit. */
  rateLimitApiKey: number;
  /** Where rate-limit counters live (memory, or PostgreSQL for several instances). */
  limiters: LimiterFactory;
  log: Logger;
}

type Handler = (context: Context, ctx: KoaContext) => unknown;

/** Wraps handlers that run after authentication so they refuse a body that could not be read. */
function afterBodyCheck(ownerOf: OwnerOf, handlers: Partial<Record<string, Handler>>): Record<string, Handler> {
  const wrapped: Record<string, Handler> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    if (!handler) continue;
    wrapped[name] = (context: Context, ctx: KoaContext) => {
      const failure = ctx.state.bodyFailure as RequestFailure | undefined;
      return failure ? ownerOf(context.operation.operationId, '').failure(failure) : handler(context, ctx);
    };
  }
  return wrapped;
}

/**
 * The HTTP face of resetd: route by the merged spec, refuse what the operation cannot take
 * (switched off, wrong content type, unreadable or oversized body, bad credentials,
 * invalid input) in the owner's own error shape, then hand over to the operation's handler.
 */
export function createApp(deps: AppDeps): Koa {
  const ownerOf = createOwners(deps.page);
  const resolveIp = clientIpResolver(deps.trustedProxies);
  const clientIp = (ctx: KoaContext) => resolveIp(ctx.req);
  const api = new OpenAPIBackend({
    definition: loadSpec() as unknown as Document,
    quick: true,
    strict: true,
    validate: true,
    customizeAjv: (ajv: Ajv) => {
      ajvFormats.default(ajv);
      return ajv;
    },
    securityHandlers: securityHandlers(deps.store, deps.adminToken, perMinuteLimit(deps.limiters, 'api-key', deps.rateLimitApiKey)),
    handlers: {
      ...afterBodyCheck(ownerOf, operationHandlers({ ...deps, clientIp })),
      unauthorizedHandler: (context: Context, ctx: KoaContext) => {
        if (ctx.state.authError) throw ctx.state.authError;
        const owner = ownerOf(context.operation.operationId, '');
        if (ctx.state.keyLimit) return owner.failure({ kind: 'rate-limited', ...(ctx.state.keyLimit as Extract<LimitResult, { ok: false }>) });
        return owner.failure({
          kind: 'unauthorized',
          credentials: credentialsOf(context.security),
        });
      },
      ...afterBodyCheck(ownerOf, {
        validationFail: (context: Context) => {
          const owner = ownerOf(context.operation.operationId, '');
          return owner.failure(describeValidationErrors(context.validation.errors, owner.field));
        },
      }),
      notFound: (context: Context) => ownerOf(undefined, context.request.path).failure({ kind: 'not-found' }),
    },
  });
  api.init();
  // An operation of the spec without a handler would answer 501 at run time: refuse to start instead.
  const unhandled = api.router.getOperations().filter((op) => !api.handlers[op.operationId!]).map((op) => op.operationId);
  if (unhandled.length > 0) throw new Error(`operations of the spec without a handler: ${unhandled.join(', ')}`);
  // The router rebuilds its operation list on every call, several times per request; the
  // spec never changes while resetd runs, so build it once.
  const operations = api.router.getOperations();
  api.router.getOperations = () => operations;
  // Most paths have no template: find their operation with one map lookup.
  const exact = new Map(
    operations.filter((op) => !op.path.includes('{')).map((op) => [`${op.method.toUpperCase()} ${op.path}`, op]),
  );
  const matchOperation = (request: { method: string; path: string }) =>
    exact.get(`${request.method} ${request.path}`) ?? api.matchOperation(request as never);

  // Operations the spec marks `x-resetd-rate-limit: ip` are limited per client IP.
  const ipLimit = perMinuteLimit(deps.limiters, 'ip', deps.rateLimitIp);
  const limitedByIp = new Set(
    operations.filter((op) => (op as { 'x-resetd-rate-limit'?: string })['x-resetd-rate-limit'] === 'ip').map((op) => op.operationId),
  );

  const declaredNames = new Map(
    operations.map((op) => [op, new Set((op.parameters ?? []).filter((p) => 'in' in p && p.in === 'query').map((p) => (p as { name: string }).name))]),
  );
  const declaredQuery = (operation: Operation, query: Record<string, string | string[]>) => {
    const names = declaredNames.get(operation);
    return Object.fromEntries(Object.entries(query).filter(([name]) => names?.has(name)));
  };

  const enabled = (operation: Operation, owner: Owner): boolean => {
    if (owner.dialect) return deps.dialects.has(owner.dialect.name);
    if (operation.path.startsWith('/admin/')) return deps.adminToken !== null;
    return true;
  };

  const app = new Koa();
  app.proxy = false;
  app.use(async (ctx) => {
    const request = {
      method: ctx.method,
      path: ctx.path,
      query: ctx.query as Record<string, string | string[]>,
      headers: ctx.headers as Record<string, string | string[]>,
      body: undefined as unknown,
    };
    const operation = matchOperation(request);
    const owner = ownerOf(operation?.operationId, ctx.path);
    // Query parameters the operation does not declare (cache busters, click trackers'
    // utm_*) are dropped rather than refused: a link must work whatever a mail service adds.
    if (operation) request.query = declaredQuery(operation, request.query);
    let reply: AnyReply;
    try {
      reply = await answer();
    } catch (error) {
      deps.log.error('request.failed', { operation: operation?.operationId, ...errorField(error) });
      reply = owner.failure({ kind: 'internal' });
    }
    send(ctx, reply);

    async function answer(): Promise<AnyReply> {
      if (!operation) return owner.failure({ kind: 'not-found' });
      if (!enabled(operation, owner)) return owner.failure({ kind: 'disabled' });
      if (limitedByIp.has(operation.operationId)) {
        const limit = await ipLimit(`${operation.operationId} ${clientIp(ctx)}`);
        if (!limit.ok) return owner.failure({ kind: 'rate-limited', ...limit });
      }
      const body = await readRequestBody(ctx, operation, owner.strictContentType ?? false);
      // A body that cannot be read is refused after authentication, so credentials are checked first.
      if (body.ok) request.body = body.body;
      else ctx.state.bodyFailure = body.failure;
      return (await api.handleRequest(request, ctx)) as AnyReply;
    }
  });
  return app;
}
