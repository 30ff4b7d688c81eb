import type { Context } from 'openapi-backend';
import type { components } from '../../generated/api.ts';
import { createApiKey } from '../core/api-keys.ts';
import { issueCaptcha } from '../core/captcha.ts';
import type { DialectName } from '../core/dialects.ts';
import type { Directory } from '../core/directory.ts';
import type { CaptchaImages, Clock, PasswordHasher } from '../core/ports.ts';
import type { Store } from '../core/store.ts';
import { requestReset } from '../core/request-reset.ts';
import type { Dialect, OperationId } from '../dialects/dialect.ts';
import { DIALECT_TABLE } from '../dialects/index.ts';
import { audit } from '../log/audit.ts';
import type { Logger } from '../log/logger.ts';
import type { DevMailbox } from '../mail/dev-mailbox.ts';
import { mailboxListPage, mailboxMessagePage } from '../pages/dev-mailbox-pages.ts';
import { adminImportHandler } from './admin-import-handler.ts';
import type { CompletionDeps } from './completion-handlers.ts';
import { completionHandlers } from './completion-handlers.ts';
import { adminUserHandlers } from './admin-user-handlers.ts';
import type { AnyReply } from './reply.ts';
import type { ResetdContext } from './request-state.ts';
import { docsPage } from './docs-page.ts';
import type { Verification } from './verify-handler.ts';
import { verifyHandler } from './verify-handler.ts';
import { problem } from './problem.ts';
import type { MetricsText } from './operations-handlers.ts';
import { operationsHandlers } from './operations-handlers.ts';

export interface HandlerDeps extends Omit<CompletionDeps, 'clientIp'> {
  store: Store;
  clock: Clock;
  hasher: PasswordHasher;
  mailbox: DevMailbox | null;
  /** generated/docs.html, as the bytes it is served as. */
  docsHtml: Buffer;
  wake?: () => void;
  clientIp: (ctx: ResetdContext) => string | null;
  log: Logger;
  /** Who the audit log names for an admin API call (see adminActor). */
  adminActor: string;
  /** Draws CAPTCHA images (Cloudreve's site/captcha). */
  images: CaptchaImages;
  /** Dialects whose request must carry a solved CAPTCHA. */
  captchaRequired: ReadonlySet<DialectName>;
  /** Where accounts live; only resetd's own table (`builtin`) takes users from the admin API. */
  directory: Pick<Directory, 'name' | 'setPassword' | 'checkPassword' | 'ping'>;
  /** GET /metrics: this instance's Prometheus text. */
  metrics: MetricsText;
  /** POST /api/auth/verify's verifier and limits. */
  verification: Verification;
}

type Handler = (context: Context, ctx: ResetdContext) => Promise<AnyReply> | AnyReply;

/** One handler for all five dialects: dialect in, core, dialect out. */
function dialectHandler(dialect: Dialect, deps: HandlerDeps): Handler {
  return async (context, ctx) => {
    const input = { body: context.request.requestBody, query: context.request.query };
    const identifier = dialect.identifier(input);
    const outcome = await requestReset(deps, {
      origin: dialect.name,
      naming: dialect.naming,
      identifier,
      clientIp: deps.clientIp(ctx),
    });
    if (outcome.kind === 'accepted') ctx.state.outboxId = outcome.outboxId;
    return dialect.reply(outcome);
  };
}

/** Handlers by operation id; a key that is not an operation of the spec does not compile. */
export type HandlerMap = Partial<Record<OperationId, Handler>>;

export function operationHandlers(deps: HandlerDeps): HandlerMap {
  const docs = docsPage(deps.docsHtml);
  const dialects: HandlerMap = Object.fromEntries(
    Object.values(DIALECT_TABLE).map((dialect) => [dialect.operationId, dialectHandler(dialect, deps)]),
  );
  return {
    ...dialects,
    ...completionHandlers(deps),
    verifyPassword: verifyHandler(deps),
    ...adminUserHandlers(deps),
    ...operationsHandlers(deps),
    adminImportUsers: adminImportHandler(deps),

    async cloudreveGetCaptcha() {
      const captcha = await issueCaptcha(deps);
      return { status: 200, body: { code: 0, msg: '', data: captcha } satisfies components['schemas']['CloudreveCaptchaResponse'] };
    },

    async getDocs(_context, ctx) {
      if (!ctx.accepts('text/html')) return problem(406, 'This endpoint answers text/html.');
      return docs(ctx);
    },

    async adminCreateApiKey(context, ctx) {
      const input = context.request.requestBody as components['schemas']['NewApiKey'];
      const created = await createApiKey(deps, input.dialect);
      audit(ctx.state.log, { action: 'api_key.create', actor: deps.adminActor, keyId: created.id, dialect: created.dialect });
      return { status: 201, body: created satisfies components['schemas']['CreatedApiKey'] };
    },

    devMailboxList() {
      return deps.mailbox ? { status: 200, html: mailboxListPage(deps.mailbox) } : mailboxOff();
    },

    devMailboxMessage(context) {
      const message = deps.mailbox?.get(String(context.request.params.id));
      return message ? { status: 200, html: mailboxMessagePage(message) } : mailboxOff();
    },
  };
}

function mailboxOff(): AnyReply {
  return problem(404, 'No such message, or the development mailbox is off.');
}
