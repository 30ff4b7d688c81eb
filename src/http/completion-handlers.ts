import type { Context } from 'openapi-backend';
import type { components } from '../../generated/api.ts';
import type { CompleteResetDeps, TokenCheck } from '../core/complete-reset.ts';
import { checkNewPassword } from '../core/check-new-password.ts';
import { checkResetToken, completeReset } from '../core/complete-reset.ts';
import type { PasswordRefusal } from '../core/password-policy.ts';
import type { Directory } from '../core/directory.ts';
import type { Clock } from '../core/ports.ts';
import type { Store } from '../core/store.ts';
import { requestReset } from '../core/request-reset.ts';
import { retryAfter } from '../dialects/dialect.ts';
import type { OperationId, Reply } from '../dialects/dialect.ts';
import { DIALECT_TABLE } from '../dialects/index.ts';
import { passwordProblemMessages } from '../messages/password-problems.ts';
import { problem } from './problem.ts';
import type { AnyReply } from './reply.ts';
import type { ResetdContext } from './request-state.ts';
import type { PageContext, PageSettings } from '../pages/reset-pages.ts';
import type { Origin } from '../core/outbox-item.ts';
import type { PageLanguage } from '../pages/page-words.ts';
import { pageLanguageOf } from '../pages/page-words.ts';
import * as pages from '../pages/reset-pages.ts';

export interface CompletionDeps extends CompleteResetDeps {
  directory: Pick<Directory, 'setPassword' | 'checkPassword'>;
  store: Store;
  clock: Clock;
  page: PageSettings;
  clientIp: (ctx: ResetdContext) => string | null;
}

type Handler = (context: Context, ctx: ResetdContext) => Promise<AnyReply>;

const TOKEN_PROBLEMS = {
  unknown: { status: 404, type: 'urn:resetd:problem:token-unknown', detail: 'This reset link is not valid. Ask for a new one.' },
  expired: { status: 410, type: 'urn:resetd:problem:token-expired', detail: 'This reset link has expired. Ask for a new one.' },
  used: { status: 410, type: 'urn:resetd:problem:token-used', detail: 'This reset link was already used or replaced by a newer one. Ask for a new one.' },
} as const;

/** resetd's own JSON answer for a token that cannot be used. */
function tokenProblem(check: Exclude<TokenCheck, { kind: 'valid' }>): Reply {
  if (check.kind === 'rate-limited') {
    return retryAfter(problem(429, 'Too many failed attempts from this address. Try again later.', 'urn:resetd:problem:too-many-failures'), check.retryAfterSeconds);
  }
  const known = TOKEN_PROBLEMS[check.kind];
  return problem(known.status, known.detail, known.type);
}

/** resetd's JSON answer for a password its policy refuses (a completion, the admin API): each reason in `errors`. */
export function weakPasswordProblem(refusal: PasswordRefusal): Reply {
  const reply = problem(422, 'Choose another password.', 'urn:resetd:problem:weak-password');
  const body: components['schemas']['PasswordProblem'] = { ...(reply.body as components['schemas']['Problem']), errors: passwordProblemMessages(refusal) };
  return { ...reply, body };
}

/** Completion: resetd's JSON API, the reset page, and the dialects' own endpoints. */
export function completionHandlers(deps: CompletionDeps): Partial<Record<OperationId, Handler>> {
  const ip = deps.clientIp;
  const dialectHandlers: Partial<Record<OperationId, Handler>> = {};
  for (const dialect of Object.values(DIALECT_TABLE)) {
    const completion = dialect.completion;
    if (!completion) continue;
    if (completion.checkOperationId && completion.checkInput && completion.checkReply) {
      const { checkInput, checkReply } = completion;
      dialectHandlers[completion.checkOperationId] = async (context, ctx) => {
        const { token } = checkInput({ body: context.request.requestBody, query: context.request.query, params: context.request.params });
        return checkReply(await checkResetToken(deps, token, ip(ctx)), token);
      };
    }
    if (completion.passwordCheckOperationId && completion.passwordCheckReply) {
      const { passwordCheckReply } = completion;
      dialectHandlers[completion.passwordCheckOperationId] = async (context) => {
        const { password } = context.request.requestBody as { password: string };
        return passwordCheckReply(await checkNewPassword(deps, password));
      };
    }
    dialectHandlers[completion.completeOperationId] = async (context, ctx) => {
      const input = completion.completeInput({ body: context.request.requestBody, query: context.request.query, params: context.request.params });
      return completion.completeReply(await completeReset(deps, { ...input, clientIp: ip(ctx) }));
    };
  }

  /** The page of the link's product, in its account's language, else the browser's. */
  const pageOf = (ctx: ResetdContext, origin: Origin | null, locale: string | null = null) =>
    pages.pageContext(deps.page, origin, pageLanguageOf(locale) ?? browserLanguage(ctx));
  const refusedLink = (ctx: ResetdContext, check: Exclude<TokenCheck, { kind: 'valid' }>) =>
    check.kind === 'rate-limited'
      ? pages.tooManyFailuresPage(pageOf(ctx, null), check.retryAfterSeconds)
      : pages.linkNotValidPage(pageOf(ctx, check.origin));

  const pageFor = async (token: string | undefined, ctx: ResetdContext): Promise<AnyReply> => {
    if (!token) return pages.newLinkPage(pageOf(ctx, null));
    const check = await checkResetToken(deps, token, ip(ctx));
    if (check.kind !== 'valid') return refusedLink(ctx, check);
    return pages.choosePasswordPage(pageOf(ctx, check.token.origin, check.account.locale), token, check.account.email);
  };

  return {
    ...dialectHandlers,

    async validateResetToken(context, ctx) {
      const { token } = context.request.requestBody as components['schemas']['TokenCheck'];
      const check = await checkResetToken(deps, token, ip(ctx));
      if (check.kind !== 'valid') return tokenProblem(check);
      return { status: 200, body: { status: 'valid', expiresAt: check.token.expiresAt.toISOString() } satisfies components['schemas']['ValidToken'] };
    },

    async completeReset(context, ctx) {
      const { token, password } = context.request.requestBody as components['schemas']['Completion'];
      const outcome = await completeReset(deps, { token, password, clientIp: ip(ctx) });
      switch (outcome.kind) {
        case 'done':
          return { status: 200, body: { status: 'done' } satisfies components['schemas']['Completed'] };
        case 'weak': {
          return weakPasswordProblem(outcome);
        }
        case 'refused': {
          const errors = outcome.reasons.map((message) => ({ code: 'refused' as const, message }));
          const reply = problem(422, 'The application refused this password. Choose another one.', 'urn:resetd:problem:password-refused');
          const body: components['schemas']['PasswordProblem'] = { ...(reply.body as components['schemas']['Problem']), errors };
          return { ...reply, body };
        }
        case 'unavailable':
          return retryAfter(problem(503, 'The password could not be changed right now. Try again in a moment; the link still works.', 'urn:resetd:problem:try-again-soon'), outcome.retryAfterSeconds);
        default:
          return tokenProblem(outcome);
      }
    },

    async resetPage(context, ctx) {
      return pageFor(context.request.query.token as string | undefined, ctx);
    },

    // HEAD is GET without the body; send() leaves the body out.
    async resetPageHead(context, ctx) {
      return pageFor(context.request.query.token as string | undefined, ctx);
    },

    async resetPageSubmit(context, ctx) {
      const form = context.request.requestBody as components['schemas']['ResetForm'];
      // The form again, for the link's account: looked up only when it is shown again (the token is valid then).
      const formAgain = async (errors: (page: PageContext) => string[], retryAfterSeconds?: number): Promise<AnyReply> => {
        const check = await checkResetToken(deps, form.token, ip(ctx));
        if (check.kind !== 'valid') return refusedLink(ctx, check);
        const page = pageOf(ctx, check.token.origin, check.account.locale);
        return retryAfterSeconds === undefined
          ? pages.choosePasswordPage(page, form.token, check.account.email, errors(page), 400)
          : pages.tryAgainSoonPage(page, form.token, check.account.email, retryAfterSeconds);
      };
      if (form.password !== form.password_confirm) return formAgain((page) => [page.words.differ]);
      const outcome = await completeReset(deps, { token: form.token, password: form.password, clientIp: ip(ctx) });
      switch (outcome.kind) {
        case 'done':
          return pages.passwordChangedPage(pageOf(ctx, outcome.origin, outcome.account.locale));
        case 'weak':
          return formAgain((page) => pages.weakPasswordMessages(page, outcome));
        case 'refused':
          return formAgain(() => outcome.reasons);
        case 'unavailable':
          return formAgain(() => [], outcome.retryAfterSeconds);
        case 'rate-limited':
        default:
          return refusedLink(ctx, outcome);
      }
    },

    async resetPageRequest(context, ctx) {
      const { email } = context.request.requestBody as components['schemas']['NewLinkForm'];
      const outcome = await requestReset(deps, { origin: 'resetd', naming: 'email', identifier: email, clientIp: ip(ctx) });
      if (outcome.kind !== 'accepted') return pages.addressRefusedPage(pageOf(ctx, null));
      ctx.state.outboxId = outcome.outboxId;
      return pages.checkInboxPage(pageOf(ctx, null));
    },
  };
}

/** The page's language from Accept-Language, English when the browser asks for none it speaks. */
function browserLanguage(ctx: ResetdContext): PageLanguage {
  const chosen = ctx.acceptsLanguages('en', 'de');
  return chosen === 'de' ? 'de' : 'en';
}
