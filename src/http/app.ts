import Koa from 'koa';
import ajvFormats from 'ajv-formats';
import { OpenAPIBackend } from 'openapi-backend';
import type { Context, Document, Operation } from 'openapi-backend';
import type { Ajv } from 'ajv';
import type { DialectName } from '../core/dialects.ts';
import type { LimiterFactory } from '../limits/limiter-backend.ts';
import type { RecordRequest } from '../metrics/request-metrics.ts';
import { failureLimiter } from '../limits/failure-limiter.ts';
import { perMinuteLimit } from '../limits/rate-limits.ts';
import { adminActor } from '../log/audit.ts';
import { credentialsOf, securityHandlers } from './auth.ts';
import { clientAddresses } from './client-ip.ts';
import type { HandlerDeps } from './handlers.ts';
import { operationHandlers } from './handlers.ts';
import { createOwners } from './owners.ts';
import type { AnyReply } from './reply.ts';
import { send } from './reply.ts';
import type { Step } from './request-chain.ts';
import { runSteps } from './request-chain.ts';
import { requestLog, withErrorId } from './request-log.ts';
import { routeOnce } from './routed-requests.ts';
import type { RequestState, ResetdContext } from './request-state.ts';
import { loadSpec } from './spec.ts';
import type { Checked, Matched } from './steps.ts';
import { bodyReadableStep, bodyStep, builtinDirectoryStep, captchaStep, credentialsStep, enabledStep, ipLimitStep, withLimitHeaders } from './steps.ts';
import { describeValidationErrors } from './validation-failure.ts';

export interface AppDeps extends Omit<HandlerDeps, 'clientIp' | 'adminActor'> {
  dialects: ReadonlySet<DialectName>;
  /** Dialects whose reset request must carry an API key (API_KEYS_REQUIRED). */
  apiKeysRequired: ReadonlySet<DialectName>;
  adminToken: string | null;
  trustedProxies: readonly string[];
  /** Requests per minute from one client IP to one endpoint; 0: no limit. */
  rateLimitIp: number;
  /** Requests per minute with one API key; 0: no limit. */
  rateLimitApiKey: number;
  /** Wrong admin tokens from one client IP per 15 minutes; past it, 429. */
  rateLimitAdminFailures: number;
  /** Where rate-limit counters live: the store's rate_limits table. */
  limiters: LimiterFactory;
  /** The bearer token GET /metrics needs on this port; null: /metrics is off here (404). */
  metricsToken: string | null;
  /** Counts and times every answered request (src/metrics). */
  recordRequest: RecordRequest;
}

type Handler = (context: Context, ctx: ResetdContext) => Promise<AnyReply> | AnyReply;

/**
 * The HTTP face of resetd, one chain per request:
 *
 *   request id (and, at the end, the access line) → match → enabled → limits → body → auth → credentials → validation → body readable → captcha → builtin directory → handler
 *
 * match, enabled, limits and body run here (steps.ts); auth and validation are the spec's
 * own checks, run by openapi-backend; credentials, body readable, captcha and builtin
 * directory wrap the operation's handler (credentials and body readable also wrap the validation failure, so
 * a key is judged before the input). Any step may refuse, always in the owner's own
 * shape: the dialect's, resetd's problem details, or a page.
 */
export function createApp(deps: AppDeps): Koa<RequestState> {
  const ownerOf = createOwners(deps.page);
  const addresses = clientAddresses(deps.trustedProxies);
  // Asked by the steps, the handler and the access line: resolved once a request.
  const clientIp = (ctx: ResetdContext) => {
    if (ctx.state.clientIp === undefined) ctx.state.clientIp = addresses.clientIp(ctx.req);
    return ctx.state.clientIp;
  };

  const guardedBy = (steps: readonly Step<Checked>[]) => (handler: Handler): Handler => (context, ctx) =>
    runSteps<Checked>({ context, ctx, owner: ownerOf(context.operation.operationId, '') }, steps, async () => handler(context, ctx));
  const credentials = credentialsStep(deps.apiKeysRequired);
  const guarded = guardedBy([credentials, bodyReadableStep(), captchaStep(deps.captchaRequired, deps), builtinDirectoryStep(deps.directory.name)]);

  // With the admin API off its operations are never reached (enabledStep): no actor needed.
  const actor = deps.adminToken === null ? 'admin' : adminActor(deps.adminToken);
  const handlers = operationHandlers({ ...deps, clientIp, adminActor: actor }) as Record<string, Handler>;
  const api = new OpenAPIBackend({
    definition: loadSpec() as unknown as Document,
    quick: true,
    strict: true,
    validate: true,
    customizeAjv: (ajv: Ajv) => {
      ajvFormats.default(ajv);
      return ajv;
    },
    securityHandlers: securityHandlers(deps.store, deps.adminToken, perMinuteLimit(deps.limiters, 'api-key', deps.rateLimitApiKey), {
      failures: failureLimiter(deps.limiters, { keyPrefix: 'admin-failures', points: deps.rateLimitAdminFailures, windowSeconds: 15 * 60 }),
      points: deps.rateLimitAdminFailures,
      clientIp,
    }, deps.metricsToken),
    handlers: {
      ...Object.fromEntries(Object.entries(handlers).map(([id, handler]) => [id, guarded(handler)])),
      unauthorizedHandler: (context: Context, ctx: ResetdContext) => {
        if (ctx.state.authError) throw ctx.state.authError;
        const owner = ownerOf(context.operation.operationId, '');
        if (ctx.state.keyLimit) return owner.failure({ kind: 'rate-limited', ...ctx.state.keyLimit });
        return owner.failure({ kind: 'unauthorized', credentials: credentialsOf(context.security) });
      },
      // An unreadable body fails validation too; it is refused as unreadable, as the body step found.
      validationFail: guardedBy([credentials, bodyReadableStep()])((context: Context) => {
        const owner = ownerOf(context.operation.operationId, '');
        return owner.failure(describeValidationErrors(context.validation.errors, owner.field));
      }),
      notFound: (context: Context) => ownerOf(undefined, context.request.path).failure({ kind: 'not-found' }),
    },
  });
  api.init();

  // The router rebuilds its operation list on every call, several times per request; the
  // spec never changes while resetd runs, so build it once.
  const operations = api.router.getOperations();
  api.router.getOperations = () => operations;
  // An operation of the spec without a handler would answer 501 at run time: refuse to start instead.
  const unhandled = operations.filter((op) => !handlers[op.operationId!]).map((op) => op.operationId);
  if (unhandled.length > 0) throw new Error(`operations of the spec without a handler: ${unhandled.join(', ')}`);
  // Most paths have no template: find their operation with one map lookup.
  const exact = new Map(operations.filter((op) => !op.path.includes('{')).map((op) => [`${op.method.toUpperCase()} ${op.path}`, op]));
  const matchOperation = (request: { method: string; path: string }) =>
    exact.get(`${request.method} ${request.path}`) ?? api.matchOperation(request as never);
  const markRouted = routeOnce(api, operations);
  const declaredQuery = declaredQueryOf(operations);

  const limitedByIp = new Set(
    operations.filter((op) => (op as { 'x-resetd-rate-limit'?: string })['x-resetd-rate-limit'] === 'ip').map((op) => op.operationId!),
  );
  const beforeSpec = [enabledStep(deps.dialects, deps.adminToken, deps.metricsToken), ipLimitStep(limitedByIp, perMinuteLimit(deps.limiters, 'ip', deps.rateLimitIp)), bodyStep()];
  const bySpec = async ({ ctx, request, operation }: Matched) => {
    markRouted(request, operation);
    return (await api.handleRequest(request, ctx)) as AnyReply;
  };

  const app = new Koa<RequestState>();
  app.proxy = false;
  app.use(requestLog({ log: deps.log, trustedPeer: addresses.trustedPeer, clientIp }));
  app.use(async (ctx) => {
    const operation = matchOperation({ method: ctx.method, path: ctx.path });
    const owner = ownerOf(operation?.operationId, ctx.path);
    ctx.state.operation = operation?.operationId;
    ctx.state.dialect = owner.dialect?.name;
    let reply: AnyReply;
    try {
      reply = operation
        ? await runSteps<Matched>(
            {
              ctx,
              operation,
              owner,
              clientIp: clientIp(ctx),
              request: { method: ctx.method, path: ctx.path, query: declaredQuery(operation, ctx.query as Record<string, string | string[]>), headers: ctx.headers as Record<string, string | string[]>, body: undefined },
            },
            beforeSpec,
            bySpec,
          )
        : owner.failure({ kind: 'not-found' });
    } catch (error) {
      // The stack goes to the log only; the client gets the owner's plain internal error.
      ctx.state.log.error('request.failed', { operation: operation?.operationId, err: error });
      reply = owner.failure({ kind: 'internal' });
    }
    send(ctx, withErrorId(withLimitHeaders(reply, owner, ctx), owner, ctx));
    deps.recordRequest(operation?.operationId, owner.dialect?.name, ctx.status, (performance.now() - ctx.state.startedAt) / 1000);
  });
  return app;
}

/**
 * Query parameters the operation does not declare (cache busters, click trackers' utm_*)
 * are dropped rather than refused: a link must work whatever a mail service adds.
 */
function declaredQueryOf(operations: readonly Operation[]) {
  const names = new Map(
    operations.map((op) => [op, new Set((op.parameters ?? []).filter((p) => 'in' in p && p.in === 'query').map((p) => (p as { name: string }).name))]),
  );
  return (operation: Operation, query: Record<string, string | string[]>) =>
    Object.fromEntries(Object.entries(query).filter(([name]) => names.get(operation)?.has(name)));
}
