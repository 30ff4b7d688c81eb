import type { ParameterizedContext } from 'koa';
import type { RequestFailure } from '../dialects/dialect.ts';
import type { LimitResult } from '../limits/rate-limits.ts';
import type { Logger } from '../log/logger.ts';

/**
 * What the steps of answering one request leave for the later ones (koa's ctx.state), so
 * each step's output is named and typed instead of passed through loose fields.
 */
export interface RequestState {
  /** This request's id (X-Request-Id), set by the first step (request-log.ts). */
  requestId: string;
  /** When the first step began (performance.now()): the access line's and the metrics' durations count from it. */
  startedAt: number;
  /** The client's address (client-ip.ts), once asked. */
  clientIp?: string | null;
  /** The log, every line of it carrying the request id. */
  log: Logger;
  /** The operation and the dialect that answered, for the access line. */
  operation?: string;
  dialect?: string;
  /** The error id of a dialect's body, when it could not be the request id (see withErrorId). */
  errorId?: string;
  /** The reset request this request queued: the worker's log lines about it carry this id. */
  outboxId?: string;
  /** koa-bodyparser's error, kept by its onerror hook for the body step to describe. */
  bodyError?: { status?: number };
  /** The body step could not read the body: refused after authentication, in the owner's shape. */
  bodyFailure?: RequestFailure;
  /** The store failed while checking an API key: an internal error, not a wrong key. */
  authError?: unknown;
  /** The API key is over its own limit, or the client IP past its wrong admin tokens. */
  keyLimit?: Extract<LimitResult, { ok: false }>;
  /** The per-IP limit's answer, for operations that have one: some products report it on every reply. */
  ipLimit?: LimitResult;
}

export type ResetdContext = ParameterizedContext<RequestState>;
