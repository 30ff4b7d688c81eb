import type { Context } from 'openapi-backend';
import type { components } from '../../generated/api.ts';
import type { UserImportStore } from '../core/store.ts';
import { withHeaders } from '../dialects/dialect.ts';
import { audit } from '../log/audit.ts';
import { TooLargeError } from '../users-file/byte-counter.ts';
import { importUsersFile } from '../users-file/import-users-file.ts';
import { UsersFileError } from '../users-file/read-users-file.ts';
import { problem } from './problem.ts';
import type { AnyReply } from './reply.ts';
import type { ResetdContext } from './request-state.ts';

/** The admin import's cap: a file of millions of users, not an unbounded stream. */
export const IMPORT_MAX_BYTES = 1024 ** 3;

export interface AdminImportDeps {
  store: Pick<UserImportStore, 'importUsers'>;
  adminActor: string;
}

/**
 * POST /admin/users/import: `resetd users import` over HTTP. The body is read as it arrives
 * (the body step leaves x-resetd-stream bodies unread), so a large file never sits in memory.
 * Whenever the answer comes before the body's end, the connection closes rather than carry on.
 */
export function adminImportHandler(deps: AdminImportDeps, maxBytes = IMPORT_MAX_BYTES) {
  return async (_context: Context, ctx: ResetdContext): Promise<AnyReply> => {
    const early = (reply: AnyReply) => withHeaders(reply, { Connection: 'close' });
    const tooLarge = 'The body is larger than resetd accepts (1 GiB): split the file.';
    if (Number(ctx.get('Content-Length') || 0) > maxBytes) return early(problem(413, tooLarge));
    const format = ctx.request.type === 'text/csv' ? 'csv' : 'jsonl';
    let report: Awaited<ReturnType<typeof importUsersFile>>;
    try {
      report = await importUsersFile(deps.store, ctx.req, format, { maxBytes });
    } catch (error) {
      if (error instanceof UsersFileError) return early(problem(400, `The file is refused, nothing was imported: ${error.message}.`));
      // Rows of batches committed before the cap stay in; importing the parts again is safe.
      if (error instanceof TooLargeError) return early(problem(413, `${tooLarge} Rows read before the limit may be imported; importing them again changes nothing.`));
      throw error;
    }
    const { added, updated, unchanged, refused, refusals, stopped } = report;
    audit(ctx.state.log, { action: 'users.import', actor: deps.adminActor, counts: { added, updated, unchanged, refused } });
    if (stopped) {
      ctx.state.log.error('users.import.failed', { line: stopped.line, err: stopped.error });
      return early(problem(500, `resetd failed to store the rows from line ${stopped.line} on; those before are imported. Importing the file again is safe.`));
    }
    return { status: 200, body: { added, updated, unchanged, refused, refusals } satisfies components['schemas']['ImportReport'] };
  };
}
