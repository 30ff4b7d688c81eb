import type { Dialect, OperationId, RequestFailure } from '../dialects/dialect.ts';
import { DIALECT_TABLE, dialectForPath } from '../dialects/index.ts';
import { resetdFailure } from './problem.ts';
import type { AnyReply } from './reply.ts';
import type { PageSettings } from '../pages/reset-pages.ts';
import { addressRefusedPage, linkNotValidPage, pageContext, serverErrorPage, tooManyFailuresPage } from '../pages/reset-pages.ts';

/** Who answers the failures of an operation, in which shape: a dialect, resetd's problem details, or a page. */
export interface Owner {
  failure(failure: RequestFailure): AnyReply;
  /** The field a validation failure is about when the validator names none. */
  field: string;
  dialect?: Dialect;
  strictContentType?: boolean;
}

export type OwnerOf = (operationId: string | undefined, path: string) => Owner;

const RESETD: Owner = { failure: resetdFailure, field: 'body' };

const DIALECT_BY_OPERATION = new Map(
  Object.values(DIALECT_TABLE).flatMap((dialect) =>
    [dialect.operationId, dialect.completion?.checkOperationId, dialect.completion?.completeOperationId, dialect.completion?.passwordCheckOperationId, ...(dialect.extraOperationIds ?? [])]
      .filter((id): id is OperationId => id !== undefined)
      .map((id) => [id, dialect] as const),
  ),
);

/**
 * The reset page answers people, so its failures are pages: over the limit, a page that
 * says so; a link or form that is not what the page sent, the "link no longer works" page
 * (or, for the new-link form, that form again); a failure inside resetd (its store is
 * down), a page that says to try again. Transport failures (413, 415) stay problem
 * details, as documented.
 */
function pageOwner(settings: PageSettings, operationId: string): Owner {
  // Refused before the link was read: resetd's own page, in English.
  const page = pageContext(settings, null, 'en');
  return {
    field: 'body',
    failure(failure): AnyReply {
      if (failure.kind === 'rate-limited') return tooManyFailuresPage(page, failure.retryAfterSeconds);
      if (failure.kind === 'internal') return serverErrorPage(page);
      if (failure.kind === 'invalid' || failure.kind === 'unreadable') {
        return operationId === 'resetPageRequest'
          ? addressRefusedPage(page)
          : linkNotValidPage(page);
      }
      return resetdFailure(failure);
    },
  };
}

const PAGE_OPERATIONS: OperationId[] = ['resetPage', 'resetPageHead', 'resetPageSubmit', 'resetPageRequest'];

const dialectOwner = (dialect: Dialect): Owner => ({ failure: dialect.failure, field: dialect.field, dialect, strictContentType: dialect.strictContentType });

export function createOwners(page: PageSettings): OwnerOf {
  // Built once: every request asks.
  const byOperation = new Map<string, Owner>([
    ...[...DIALECT_BY_OPERATION].map(([id, dialect]) => [id, dialectOwner(dialect)] as const),
    ...PAGE_OPERATIONS.map((id) => [id, pageOwner(page, id)] as const),
  ]);
  const byDialect = new Map(Object.values(DIALECT_TABLE).map((dialect) => [dialect, dialectOwner(dialect)]));
  return (operationId, path) => {
    if (operationId) return byOperation.get(operationId) ?? RESETD;
    const dialect = dialectForPath(path);
    return dialect ? byDialect.get(dialect)! : RESETD;
  };
}

