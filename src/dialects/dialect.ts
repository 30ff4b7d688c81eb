import type { operations } from '../../generated/api.ts';
import type { NewPasswordCheck } from '../core/check-new-password.ts';
import type { CompleteResetOutcome, TokenCheck } from '../core/complete-reset.ts';
import type { DialectName } from '../core/dialects.ts';
import type { AccountNaming, RequestResetOutcome } from '../core/request-reset.ts';
import type { LimitCount } from '../limits/rate-limits.ts';

/** An operation of the merged spec: a misspelled or removed one does not compile. */
export type OperationId = keyof operations;

/**
 * Where a request carries an API key, per security scheme of the dialect's spec (the
 * scheme's name is the key): a header as a whole, or its value after an auth scheme word.
 */
export type CredentialSource = { header: string } | { authorization: 'Bearer' | 'ApiKey' };

/** What resetd sends back: a status, and a JSON body unless `body` is undefined. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Every way a request can fail before or inside the core, named once for all dialects. */
export type RequestFailure =
  | { kind: 'unauthorized'; credentials: 'missing' | 'wrong' }
  | { kind: 'invalid'; field: string; problem: InvalidProblem }
  | { kind: 'unreadable' }
  | { kind: 'unsupported-media-type'; contentType: string | undefined; accepted: readonly string[] }
  | { kind: 'too-large' }
  | { kind: 'rate-limited'; retryAfterSeconds: number; limit: number; resetAt: Date }
  | { kind: 'captcha-mismatch' }
  | { kind: 'disabled' }
  | { kind: 'not-found' }
  | { kind: 'internal' };

export type InvalidProblem = 'missing' | 'empty' | 'type' | 'malformed' | 'too-long' | 'unexpected';

/** The validated parts of a request a dialect reads. */
export interface DialectInput {
  body: unknown;
  query: Record<string, unknown>;
}

/**
 * A dialect only translates: its request in, the core's command out; the core's outcome
 * or a failure in, its product's response out. It never touches storage, mail or tokens.
 */
export interface Dialect {
  name: DialectName;
  /** The product's name, as its mail says it (PRODUCT_NAME_<DIALECT> overrides it). */
  product: string;
  operationId: OperationId;
  /** What the request's account field may hold: only an address, or also an account id or user name. */
  naming: AccountNaming;
  /** The spec's API-key schemes of this dialect, and where each carries the key. */
  credentials?: Record<string, CredentialSource>;
  /** Unknown routes under this prefix are answered in this dialect's shape. */
  pathPrefix: string;
  /** The request field that names the account, as the product calls it. */
  field: string;
  /** Refuse a request without a content type (415) instead of reading it as empty. */
  strictContentType?: boolean;
  /** The account the request names, as sent. */
  identifier(input: DialectInput): string;
  reply(outcome: RequestResetOutcome): Reply;
  failure(failure: RequestFailure): Reply;
  /** The product's own completion endpoints, where it has them. */
  completion?: DialectCompletion;
  /** Other operations of the product that resetd serves (its errors answer in this dialect's shape). */
  extraOperationIds?: readonly OperationId[];
  /** Where the request carries a CAPTCHA answer and its ticket, for products that use one. */
  captcha?(input: DialectInput): { ticket: string; answer: string };
  /** Headers that report the per-IP limit on every reply of an operation it counts, for products that send them. */
  limitHeaders?(count: LimitCount): Record<string, string>;
  /** The reply with `id` (a UUID: the request's id) as the error id of the product's error body; other replies as they are. */
  errorId?(reply: Reply, id: string): Reply;
}

/** Completing a reset in a product's own words: token and password in, its answers out. */
export interface DialectCompletion {
  /** Operation that checks a token without spending it, if the product has one. */
  checkOperationId?: OperationId;
  checkInput?(input: DialectInput & { params: Record<string, unknown> }): { token: string };
  /** `token` is the token that was checked (Unleash echoes it). */
  checkReply?(check: TokenCheck, token: string): Reply;
  completeOperationId: OperationId;
  /** Operation that says whether a new password would be accepted, before the person submits (Unleash has one). */
  passwordCheckOperationId?: OperationId;
  passwordCheckReply?(check: NewPasswordCheck): Reply;
  completeInput(input: DialectInput & { params: Record<string, unknown> }): { token: string; password: string; accountId?: string };
  completeReply(outcome: CompleteResetOutcome): Reply;
}

/**
 * The reply with more headers. Not `{ ...reply, headers: … }`: V8 (Node 20) allocates a
 * copy spread from an object and then given a property that object lacked straight in the
 * old generation, where it stays, dead, until a full collection. On the request path (the
 * per-IP limit's headers on every Rocket.Chat answer) that was most of what the serving
 * thread promoted.
 */
export function withHeaders<R extends Reply>(reply: R, headers: Record<string, string>): R {
  return Object.assign({}, reply, { headers: Object.assign({}, reply.headers, headers) });
}

/** Adds a Retry-After header to a reply. */
export function retryAfter(reply: Reply, seconds: number): Reply {
  return withHeaders(reply, { 'Retry-After': String(seconds) });
}

/** The core's `invalid` outcome as a failure of the dialect's own account field. */
export function invalidIdentifier(
  field: string,
  outcome: Extract<RequestResetOutcome, { kind: 'invalid' }>,
): RequestFailure {
  return { kind: 'invalid', field, problem: outcome.reason };
}

/** A missing or empty field, as opposed to one that is present but wrong. */
export function isAbsent(failure: Extract<RequestFailure, { kind: 'invalid' }>): boolean {
  return failure.problem === 'missing' || failure.problem === 'empty';
}
