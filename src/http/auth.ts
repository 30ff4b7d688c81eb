import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'openapi-backend';
import type { KeyScope } from '../core/api-keys.ts';
import type { CredentialSource } from '../dialects/dialect.ts';
import { DIALECT_TABLE } from '../dialects/index.ts';
import type { ResetdContext } from './request-state.ts';
import { findValidApiKey } from '../core/api-keys.ts';
import type { Limit } from '../limits/rate-limits.ts';
import type { FailureLimiter } from '../core/ports.ts';
import type { Store } from '../core/store.ts';

/**
 * One security handler per scheme in the spec. Each answers `{ ok: true }`, or an object
 * with `error` saying whether credentials were missing or wrong (dialects word them
 * differently).
 */
export type AuthResult = { ok: true } | { error: 'missing' | 'wrong' | 'unavailable' | 'rate-limited' };

type Extract = (headers: Record<string, string | string[] | undefined>) => string | undefined;

const header = (name: string): Extract => (headers) => {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
};

const withScheme = (scheme: string): Extract => (headers) => {
  const value = header('authorization')(headers);
  if (value === undefined) return undefined;
  const [given, ...rest] = value.trim().split(/\s+/);
  return given?.toLowerCase() === scheme.toLowerCase() && rest.length === 1 ? rest[0] : '';
};

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * A store failure during a check (the key's lookup, or its limiter's counter) is not a wrong
 * key: it is kept on the koa context so the request is answered as an internal error (and
 * logged), not as 401/403. openapi-backend would take a thrown error for a refusal.
 */
async function unlessStoreFails(ctx: ResetdContext, check: () => Promise<AuthResult>): Promise<AuthResult> {
  try {
    return await check();
  } catch (error) {
    ctx.state.authError = error;
    return { error: 'unavailable' };
  }
}

function apiKeyScheme(store: Store, dialect: KeyScope, extract: Extract, limit: Limit) {
  return (context: Context, ctx: ResetdContext): Promise<AuthResult> =>
    unlessStoreFails(ctx, async () => {
      const presented = extract(context.request.headers);
      if (presented === undefined) return { error: 'missing' };
      const key = await findValidApiKey({ store }, dialect, presented);
      if (!key) return { error: 'wrong' };
      // Each key has its own budget, so one leaked key cannot flood everyone's inboxes.
      const limited = await limit(key.id);
      if (!limited.ok) {
        ctx.state.keyLimit = limited;
        return { error: 'rate-limited' };
      }
      return { ok: true };
    });
}

/** Wrong admin tokens one client IP may send per window, and what the admin scheme needs to count them. */
export interface AdminGuard {
  failures: FailureLimiter;
  /** The allowance, reported as the limit on a 429. */
  points: number;
  clientIp: (ctx: ResetdContext) => string | null;
}

/**
 * The admin bearer token, compared in constant time. Only a wrong token is counted against
 * the client's address, after the comparison, so the operator's right token still works from
 * an address whose neighbours (NAT, a shared proxy) guessed: past the allowance a wrong token
 * gets 429, slowly, instead of 401. The token is a long secret; this slows a guesser and
 * makes the guessing visible rather than being what keeps the token safe.
 */
function adminScheme(adminToken: string | null, guard: AdminGuard) {
  const expected = adminToken === null ? null : digest(adminToken);
  return (context: Context, ctx: ResetdContext): Promise<AuthResult> =>
    unlessStoreFails(ctx, async () => {
      const presented = withScheme('Bearer')(context.request.headers);
      if (presented === undefined) return { error: 'missing' };
      if (expected !== null && timingSafeEqual(digest(presented), expected)) return { ok: true };
      const wait = await guard.failures.fail(guard.clientIp(ctx) ?? 'unknown');
      if (wait === 0) return { error: 'wrong' };
      ctx.state.keyLimit = { ok: false, retryAfterSeconds: wait, limit: guard.points, resetAt: new Date(Date.now() + wait * 1000) };
      return { error: 'rate-limited' };
    });
}

/**
 * METRICS_TOKEN, compared in constant time. Not counted against the client like the admin
 * token: it opens only the metrics, and a scraper with a stale token would lock itself out.
 */
function metricsScheme(metricsToken: string | null) {
  const expected = metricsToken === null ? null : digest(metricsToken);
  return (context: Context): AuthResult => {
    const presented = withScheme('Bearer')(context.request.headers);
    if (presented === undefined) return { error: 'missing' };
    return expected !== null && timingSafeEqual(digest(presented), expected) ? { ok: true } : { error: 'wrong' };
  };
}

const extractor = (source: CredentialSource): Extract =>
  'header' in source ? header(source.header) : withScheme(source.authorization);

export function securityHandlers(store: Store, adminToken: string | null, keyLimit: Limit, adminGuard: AdminGuard, metricsToken: string | null) {
  // Each dialect names its schemes and where they carry the key (src/dialects/*.ts).
  const dialectSchemes = Object.values(DIALECT_TABLE).flatMap((dialect) =>
    Object.entries(dialect.credentials ?? {}).map(([scheme, source]) => [scheme, apiKeyScheme(store, dialect.name, extractor(source), keyLimit)] as const),
  );
  return {
    ...Object.fromEntries(dialectSchemes),
    // resetd's own API (POST /api/auth/verify): a key made for `resetd`, none of a dialect's.
    resetdKey: apiKeyScheme(store, 'resetd', withScheme('Bearer'), keyLimit),
    adminToken: adminScheme(adminToken, adminGuard),
    metricsToken: metricsScheme(metricsToken),
  };
}

/** 'wrong' when any scheme saw credentials it refused, 'missing' when none were sent. */
export function credentialsOf(security: Record<string, unknown>): 'missing' | 'wrong' {
  const refused = Object.values(security).some(
    (result) => typeof result === 'object' && result !== null && (result as { error?: string }).error === 'wrong',
  );
  return refused ? 'wrong' : 'missing';
}
