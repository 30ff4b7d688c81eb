import type { Context } from 'openapi-backend';
import type { Operation } from 'openapi-backend';
import { solvesCaptcha } from '../core/captcha.ts';
import type { DialectName } from '../core/dialects.ts';
import { withHeaders } from '../dialects/dialect.ts';
import type { Clock } from '../core/ports.ts';
import type { CaptchaStore } from '../core/store.ts';
import type { Limit } from '../limits/rate-limits.ts';
import { limitCount } from '../limits/rate-limits.ts';
import type { AuthResult } from './auth.ts';
import type { Owner } from './owners.ts';
import { problem } from './problem.ts';
import { readRequestBody, readsItsOwnBody } from './request-body.ts';
import type { AnyReply } from './reply.ts';
import type { Step } from './request-chain.ts';
import type { ResetdContext } from './request-state.ts';

/**
 * The steps of the HTTP face, in the order app.ts runs them. Each refuses in the owner's
 * own shape (a dialect's, resetd's problem details, or a page), or hands over.
 */

/** A request matched to an operation of the spec, before the spec's own checks. */
export interface Matched {
  ctx: ResetdContext;
  operation: Operation;
  owner: Owner;
  clientIp: string | null;
  /** What openapi-backend reads; the body step fills `body`. */
  request: { method: string; path: string; query: Record<string, string | string[]>; headers: Record<string, string | string[]>; body: unknown };
}

/** Passed authentication and validation, about to reach the handler. */
export interface Checked {
  context: Context;
  ctx: ResetdContext;
  owner: Owner;
}

/**
 * A dialect switched off answers as its product does with the feature off; the admin API is
 * off without a token, and so is /metrics on this port (METRICS_PORT may serve it on another).
 */
export function enabledStep(dialects: ReadonlySet<DialectName>, adminToken: string | null, metricsToken: string | null): Step<Matched> {
  return {
    name: 'enabled',
    run({ operation, owner }) {
      const on = owner.dialect
        ? dialects.has(owner.dialect.name)
        : operation.path.startsWith('/admin/')
          ? adminToken !== null
          : operation.path !== '/metrics' || metricsToken !== null;
      return on ? undefined : owner.failure({ kind: 'disabled' });
    },
  };
}

/** Operations the spec marks `x-resetd-rate-limit: ip` are limited per client IP (API keys have their own limit, in auth). */
export function ipLimitStep(limitedByIp: ReadonlySet<string>, limit: Limit): Step<Matched> {
  return {
    name: 'limits',
    async run({ ctx, operation, owner, clientIp }) {
      if (!limitedByIp.has(operation.operationId!)) return undefined;
      const result = await limit(`${operation.operationId} ${clientIp}`);
      ctx.state.ipLimit = result;
      return result.ok ? undefined : owner.failure({ kind: 'rate-limited', ...result });
    },
  };
}

/** The per-IP limit as the owner's product reports it (Rocket.Chat's X-RateLimit-*), on whatever reply the request got. */
export function withLimitHeaders(reply: AnyReply, owner: Owner, ctx: ResetdContext): AnyReply {
  const count = ctx.state.ipLimit && limitCount(ctx.state.ipLimit);
  if (!count || !owner.dialect?.limitHeaders) return reply;
  return withHeaders(reply, owner.dialect.limitHeaders(count));
}

/**
 * Reads the body in a content type the operation declares. A body that cannot be read is
 * not refused here but after authentication (bodyReadableStep), so credentials are checked first.
 */
export function bodyStep(): Step<Matched> {
  return {
    name: 'body',
    async run({ ctx, operation, owner, request }) {
      const body = await readRequestBody(ctx, operation, owner.strictContentType ?? false);
      if (body.ok) request.body = body.body;
      else ctx.state.bodyFailure = body.failure;
      return undefined;
    },
  };
}

/**
 * API keys. Each dialect's schemes ran in openapi-backend's auth (auth.ts); the spec also
 * allows none (`{}`), so this step decides: a key that was sent must be right, and a
 * dialect API_KEYS_REQUIRED lists must have one.
 */
export function credentialsStep(required: ReadonlySet<DialectName>): Step<Checked> {
  return {
    name: 'credentials',
    run({ context, ctx, owner }) {
      if (ctx.state.authError) throw ctx.state.authError;
      const dialect = owner.dialect;
      const security = (context.security ?? {}) as Record<string, AuthResult | undefined>;
      const results = Object.keys(dialect?.credentials ?? {}).filter((scheme) => scheme in security).map((scheme) => security[scheme]);
      if (!dialect || results.length === 0 || results.some((result) => result && 'ok' in result)) return undefined;
      if (ctx.state.keyLimit) return owner.failure({ kind: 'rate-limited', ...ctx.state.keyLimit });
      const sent = results.some((result) => result && 'error' in result && result.error !== 'missing');
      if (!sent && !required.has(dialect.name)) return undefined;
      return owner.failure({ kind: 'unauthorized', credentials: sent ? 'wrong' : 'missing' });
    },
  };
}

/** The body step's refusal, now that the credentials were checked. */
export function bodyReadableStep(): Step<Checked> {
  return {
    name: 'body readable',
    run: ({ ctx, owner }) => (ctx.state.bodyFailure ? owner.failure(ctx.state.bodyFailure) : undefined),
  };
}

/** A dialect that asks for a CAPTCHA (Cloudreve, with CLOUDREVE_CAPTCHA=on): its ticket and answer, each ticket once. */
export function captchaStep(required: ReadonlySet<DialectName>, deps: { store: CaptchaStore; clock: Clock }): Step<Checked> {
  return {
    name: 'captcha',
    async run({ context, owner }) {
      const dialect = owner.dialect;
      if (!dialect?.captcha || !required.has(dialect.name) || context.operation.operationId !== dialect.operationId) return undefined;
      const { ticket, answer } = dialect.captcha({ body: context.request.requestBody, query: context.request.query });
      return (await solvesCaptcha(deps, ticket, answer)) ? undefined : dialect.failure({ kind: 'captcha-mismatch' });
    },
  };
}

/**
 * Operations the spec marks `x-resetd-directory: builtin` manage resetd's own users table:
 * where the accounts live in the application (any other DIRECTORY) they answer 409, after
 * authentication. A body the operation reads itself (`x-resetd-stream`, the import) is left
 * unread, so the connection closes rather than drain it.
 */
export function builtinDirectoryStep(directory: string): Step<Checked> {
  return {
    name: 'builtin directory',
    run({ context }) {
      const operation = context.operation as Operation & { 'x-resetd-directory'?: string };
      if (directory === 'builtin' || operation['x-resetd-directory'] !== 'builtin') return undefined;
      const refusal = problem(409, `Accounts live in the application (DIRECTORY=${directory}): manage users there.`);
      return readsItsOwnBody(operation) ? withHeaders(refusal, { Connection: 'close' }) : refusal;
    },
  };
}
